import Foundation

/// Finds personal data in text meant for people who must not see it (the case library, published
/// plans): a complainant's own phone number however it is spaced, their name, email address,
/// address and ID number, and, whoever they belong to, email addresses and mobile numbers. Text is compared in its compatibility form (NFKC: full-width digits and signs
/// as their ASCII selves) without invisible format characters.
public struct PersonalDataLeak: Sendable, Equatable {
    /// What was found: `phone`, `name`, `email`, `address`, `idNumber`, `anyEmail` or `anyNumber` (a mobile number).
    public var kind: String

    /// A complainant's own data to look for; nil fields are not looked for.
    public struct Person: Sendable, Equatable {
        public var name: String?
        public var phone: String?
        public var email: String?
        public var address: String?
        public var idNumber: String?

        /// Creates the data to look for.
        public init(name: String? = nil, phone: String? = nil, email: String? = nil, address: String? = nil, idNumber: String? = nil) {
            self.name = name
            self.phone = phone
            self.email = email
            self.address = address
            self.idNumber = idNumber
        }
    }

    /// `text` in its compatibility form, without format characters (zero-width spaces and joiners).
    static func normalized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.precomposedStringWithCompatibilityMapping.unicodeScalars.filter {
            $0.properties.generalCategory != .format
        }))
    }

    /// The digits of a phone number that identify it: its last eight (the subscriber number
    /// without country or trunk prefix), or all of them when it has fewer; nil under seven.
    static func identifyingDigits(_ phone: String) -> String? {
        let digits = normalized(phone).filter(\.isASCIIDigit)
        guard digits.count >= 7 else { return nil }
        return String(digits.suffix(8))
    }

    /// The digit runs of `text`, each read across up to three characters that are neither letters
    /// nor digits (spaces, line breaks, dashes, dots, brackets, slashes) between two digits.
    static func numbers(in text: String) -> [String] {
        var runs: [String] = [], current = "", separators = 0
        for character in normalized(text) {
            if character.isASCIIDigit {
                current.append(character)
                separators = 0
            } else if !current.isEmpty && !character.isLetter && !character.isNumber && separators < 3 {
                separators += 1
            } else {
                if !current.isEmpty { runs.append(current) }
                current = ""
                separators = 0
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// The first of `person`'s data that `text` holds, then any email address or mobile number;
    /// nil when none.
    public static func find(in text: String, _ person: Person) -> PersonalDataLeak? {
        let plain = normalized(text)
        let numbers = numbers(in: plain)
        if let digits = person.phone.flatMap(identifyingDigits), numbers.contains(where: { $0.contains(digits) }) {
            return PersonalDataLeak(kind: "phone")
        }
        if let id = person.idNumber.map({ normalized($0).filter { $0.isASCIIDigit || $0 == "X" || $0 == "x" } }), id.count >= 8,
           plain.replacingOccurrences(of: " ", with: "").range(of: id, options: .caseInsensitive) != nil
            || numbers.contains(where: { $0.contains(id.filter(\.isASCIIDigit)) && id.filter(\.isASCIIDigit).count >= 8 }) {
            return PersonalDataLeak(kind: "idNumber")
        }
        if let email = person.email.map({ normalized($0).trimmingCharacters(in: .whitespaces) }), email.count >= 3,
           plain.range(of: email, options: .caseInsensitive) != nil {
            return PersonalDataLeak(kind: "email")
        }
        if let name = person.name, names(name, in: plain) {
            return PersonalDataLeak(kind: "name")
        }
        if let address = person.address.map({ squeezed(normalized($0)) }), address.count >= 6,
           squeezed(plain).range(of: address, options: .caseInsensitive) != nil {
            return PersonalDataLeak(kind: "address")
        }
        if plain.contains(/[^\s@]+@[^\s@]+\.[A-Za-z]{2,}/) { return PersonalDataLeak(kind: "anyEmail") }
        if numbers.contains(where: isMobileNumber) { return PersonalDataLeak(kind: "anyNumber") }
        return nil
    }

    /// Whether a run of digits is a mainland mobile number (1[3-9] and nine more digits), with or
    /// without the country code 86 or 0086.
    static func isMobileNumber(_ digits: String) -> Bool {
        var number = Substring(digits)
        if number.count == 15, number.hasPrefix("0086") { number = number.dropFirst(4) }
        if number.count == 13, number.hasPrefix("86") { number = number.dropFirst(2) }
        guard number.count == 11, number.first == "1", let second = number.dropFirst().first else { return false }
        return "3456789".contains(second)
    }

    /// `text` without white space.
    static func squeezed(_ text: String) -> String { text.filter { !$0.isWhitespace } }

    /// Whether `text` names `name`. Names in Latin letters count as whole words (so that "Ann" is
    /// not found in "annual"), a boundary being anything but a Latin letter or digit; names in
    /// scripts written without spaces count anywhere, white space inside either ignored. Any case
    /// and width; names of one character are not looked for.
    public static func names(_ name: String, in text: String) -> Bool {
        let name = normalized(name).trimmingCharacters(in: .whitespaces), text = normalized(text)
        guard name.count >= 2 else { return false }
        let options: String.CompareOptions = [.caseInsensitive]
        guard name.unicodeScalars.allSatisfy({ $0.isASCII }) else {
            return squeezed(text).range(of: squeezed(name), options: options) != nil
        }
        func latin(_ character: Character?) -> Bool { character.map { $0.isASCII && ($0.isLetter || $0.isNumber) } ?? false }
        var searched = text.startIndex..<text.endIndex
        while let found = text.range(of: name, options: options, range: searched) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            if !latin(before) && !latin(after) { return true }
            searched = found.upperBound..<text.endIndex
        }
        return false
    }

    /// What a refusal says, for a text that is to hold no personal data.
    public var message: String {
        switch kind {
        case "anyEmail": "contains an email address: it must hold no personal data"
        case "anyNumber": "contains a mobile number: it must hold no personal data"
        default:
            "contains the complainant's "
                + ["phone": "phone number", "email": "email address", "idNumber": "ID number", "address": "address"][kind, default: "name"]
                + ": it must hold no personal data"
        }
    }
}
