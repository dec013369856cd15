import Foundation
import RedressCore
import RedressStore

/// The complaint vocabulary the hand-routed routes check values against (exports, SLA policies,
/// case work), with the rules that name offending fields; the generated operations are held to
/// openapi.yaml's enums instead.
enum ComplaintVocabulary {
    static let channels: Set<String> = ["phone", "web", "email", "visit", "sms", "chat", "social_media", "third_party",
                                        "app", "internal", "institutional"]
    static let sources: Set<String> = ["external", "internal", "institutional"]
    static let customerTypes: Set<String> = ["individual", "enterprise", "government", "public_institution", "social_organisation"]
    static let priorities: Set<String> = ["urgent", "important", "general"]
    /// Natures a person may set; `repeat` is detected and `invalid` is a lifecycle step.
    static let natures: Set<String> = ["general", "major"]
}

extension FieldRules {
    /// A value from a fixed vocabulary.
    mutating func oneOf(_ value: String?, _ allowed: Set<String>, _ field: String) {
        guard let value else { return }
        if !allowed.contains(value) { fail(field, "must be one of " + allowed.sorted().joined(separator: ", ")) }
    }

    /// A non-negative amount of money with at most two decimal places, below 10^12.
    mutating func money(_ value: Decimal?, _ field: String) {
        guard let value else { return }
        var cents = value * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &cents, 0, .plain)
        if value < 0 || value >= 1_000_000_000_000 || rounded != cents {
            fail(field, "must be an amount from 0 to 999999999999.99 with at most two decimals")
        }
    }

    /// A whole number within `range`.
    mutating func number(_ value: Int?, _ range: ClosedRange<Int>, _ field: String) {
        guard let value else { return }
        if !range.contains(value) { fail(field, "must be from \(range.lowerBound) to \(range.upperBound)") }
    }

    /// An ISO 8601 date-time not later than a few minutes from now.
    mutating func pastDateTime(_ value: String?, _ field: String, now: Date = Date()) -> Date? {
        guard let date = anyDateTime(value, field) else { return nil }
        if date > now.addingTimeInterval(300) { fail(field, "must not be in the future") }
        return date
    }
}
