import Foundation
import RedressCore

/// Collects every rule a request's values break, so one 422 response names all the fields.
struct FieldRules {
    private(set) var errors: [Problem.FieldError] = []

    /// Records a broken rule.
    mutating func fail(_ field: String, _ message: String) {
        errors.append(.init(field: field, message: message))
    }

    /// Text of `range` characters, without NUL or other control characters (tab excepted).
    mutating func text(_ value: String?, _ field: String, length range: ClosedRange<Int>) {
        guard let value else { return }
        if !range.contains(value.count) {
            fail(field, range.lowerBound > 0 ? "must be \(range.lowerBound) to \(range.upperBound) characters"
                                             : "must be at most \(range.upperBound) characters")
        } else if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
            fail(field, "must not contain control characters")
        }
    }

    /// Text of `range` characters that may span lines (tabs and line breaks allowed, other
    /// control characters not).
    mutating func multilineText(_ value: String?, _ field: String, length range: ClosedRange<Int>) {
        guard let value else { return }
        if !range.contains(value.count) {
            fail(field, "must be \(range.lowerBound) to \(range.upperBound) characters")
        } else if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !"\t\n\r".unicodeScalars.contains($0) }) {
            fail(field, "must not contain control characters other than line breaks and tabs")
        }
    }

    /// Text that says something: not blank or only white space (its length and characters are the contract's).
    mutating func requireText(_ value: String, _ field: String) {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { fail(field, "must say something") }
    }

    /// Any ISO 8601 date-time (`2026-11-23T09:00:00Z`, fractional seconds allowed).
    mutating func anyDateTime(_ value: String?, _ field: String) -> Date? {
        guard let value else { return nil }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard value.count <= 40, let date = ISO8601DateFormatter().date(from: value) ?? fractional.date(from: value) else {
            fail(field, "must be an ISO 8601 date-time such as 2026-11-23T09:00:00Z")
            return nil
        }
        return date
    }

    /// A password: 10 to 72 bytes of UTF-8 (bcrypt reads no further than 72 bytes).
    mutating func password(_ value: String?, _ field: String = "/password") {
        guard let value else { return }
        if value.count < 10 || value.utf8.count > 72 { fail(field, "must be at least 10 characters and at most 72 bytes") }
        else if value.unicodeScalars.contains("\u{0}") { fail(field, "must not contain NUL") }
    }

    /// An email address: one `@` with text on both sides, at most 320 characters.
    mutating func email(_ value: String?, _ field: String = "/email") {
        guard let value else { return }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        if value.count > 320 || parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".")
            || value.contains(where: { $0.isWhitespace || $0.isNewline }) {
            fail(field, "must be an email address")
        }
    }

    /// A phone number: 3–40 characters of digits, spaces and `+-()`, with at least 3 digits.
    mutating func phone(_ value: String?, _ field: String = "/phone") {
        guard let value else { return }
        let allowed = Set("0123456789+-() ")
        if !(3...40).contains(value.count) || !value.allSatisfy(allowed.contains) || value.filter(\.isNumber).count < 3 {
            fail(field, "must be a phone number (digits, spaces and + - ( ))")
        }
    }

    /// Roles: at least one, no duplicates, and `bot` only on its own.
    mutating func roles(_ value: [Role]?, _ field: String = "/roles") {
        guard let value else { return }
        if value.isEmpty { fail(field, "must name at least one role") }
        else if Set(value).count != value.count { fail(field, "must not repeat a role") }
        else if value.contains(.bot) && value.count > 1 { fail(field, "bot cannot be combined with other roles") }
    }

    /// Roles a branch admin may give: never `executive` or `auditor`, whose reach goes beyond the
    /// branch (operators grant those).
    mutating func rolesAdminsGrant(_ value: [Role]?, _ field: String = "/roles") {
        guard let value, !Set(value).isDisjoint(with: Role.crossBranch) else { return }
        fail(field, "executive and auditor are granted by operators, not by a branch admin")
    }

    /// An IANA time zone identifier known to this system.
    mutating func timeZone(_ value: String?, _ field: String = "/timeZone") {
        guard let value else { return }
        if value.count > 64 || TimeZone(identifier: value) == nil { fail(field, "must be an IANA time zone such as Asia/Shanghai") }
    }

    /// At most `limit` elements without duplicates.
    mutating func distinct<T: Hashable>(_ value: [T]?, _ field: String, limit: Int) {
        guard let value else { return }
        if value.count > limit { fail(field, "must have at most \(limit) elements") }
        else if Set(value).count != value.count { fail(field, "must not repeat an element") }
    }

    /// Throws a 422 problem when any rule failed.
    func check() throws {
        if !errors.isEmpty { throw Problem.validationFailed(errors) }
    }
}
