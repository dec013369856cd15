import Foundation

/// Finds a complainant's own personal data in text meant for people who must not see it (the case
/// library): their phone number however it is spaced, their name, their email address.
public struct PersonalDataLeak: Sendable, Equatable {
    /// What was found: `phone`, `name` or `email`.
    public var kind: String

    /// The digits of a phone number that identify it: its last eight (the subscriber number
    /// without country or trunk prefix), or all of them when it has fewer, but never fewer than five.
    static func identifyingDigits(_ phone: String) -> String? {
        let digits = phone.filter(\.isASCIIDigit)
        guard digits.count >= 5 else { return nil }
        return String(digits.suffix(8))
    }

    /// The digit runs of `text`, each read across the spaces, dashes, dots, brackets and plus
    /// signs people write numbers with (up to three of them between two digits).
    static func numbers(in text: String) -> [String] {
        var runs: [String] = [], current = "", separators = 0
        for character in text {
            if character.isASCIIDigit {
                current.append(character)
                separators = 0
            } else if !current.isEmpty && " -.()+\u{00A0}".contains(character) && separators < 3 {
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

    /// The first of the complainant's `name`, `phone` or `email` that `text` contains; nil when none.
    /// Names of one character are not looked for (they occur in ordinary words).
    public static func find(in text: String, name: String?, phone: String?, email: String?) -> PersonalDataLeak? {
        if let digits = phone.flatMap(identifyingDigits), numbers(in: text).contains(where: { $0.contains(digits) }) {
            return PersonalDataLeak(kind: "phone")
        }
        if let email = email?.trimmingCharacters(in: .whitespaces), email.count >= 3,
           text.range(of: email, options: [.caseInsensitive]) != nil {
            return PersonalDataLeak(kind: "email")
        }
        if let name, names(name, in: text) {
            return PersonalDataLeak(kind: "name")
        }
        return nil
    }

    /// Whether `text` names `name`: as a whole word for names written in Latin letters (so that
    /// "Ann" is not found in "annual"), anywhere for names in scripts written without spaces, in
    /// any case and width. Names of one character are not looked for.
    public static func names(_ name: String, in text: String) -> Bool {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard name.count >= 2 else { return false }
        let options: String.CompareOptions = [.caseInsensitive, .widthInsensitive]
        guard name.unicodeScalars.allSatisfy({ $0.isASCII }) else { return text.range(of: name, options: options) != nil }
        var searched = text.startIndex..<text.endIndex
        while let found = text.range(of: name, options: options, range: searched) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            if !(before.map { $0.isLetter || $0.isNumber } ?? false) && !(after.map { $0.isLetter || $0.isNumber } ?? false) { return true }
            searched = found.upperBound..<text.endIndex
        }
        return false
    }

    /// What a refusal says, for a text that is to hold no personal data.
    public var message: String {
        "contains the complainant's \(kind == "email" ? "email address" : kind == "phone" ? "phone number" : "name"): "
            + "it must hold no personal data"
    }
}
