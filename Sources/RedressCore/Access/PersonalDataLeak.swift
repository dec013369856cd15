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
    /// signs people write numbers with.
    static func numbers(in text: String) -> [String] {
        var runs: [String] = [], current = "", pending = false
        for character in text {
            if character.isASCIIDigit {
                current.append(character)
                pending = false
            } else if !current.isEmpty && " -.()+\u{00A0}".contains(character) && !pending {
                pending = true
            } else {
                if !current.isEmpty { runs.append(current) }
                current = ""
                pending = false
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
        if let name = name?.trimmingCharacters(in: .whitespaces), name.count >= 2,
           text.range(of: name, options: [.caseInsensitive, .widthInsensitive]) != nil {
            return PersonalDataLeak(kind: "name")
        }
        return nil
    }

    /// What a refusal says.
    public var message: String {
        "contains the complainant's \(kind == "email" ? "email address" : kind == "phone" ? "phone number" : "name"): "
            + "the case library keeps no personal data"
    }
}
