import Foundation

/// The rules of new evidence that the contract cannot state.
extension FieldRules {
    /// A moment that has happened: at most five minutes ahead of this server's clock.
    mutating func notLaterThanNow(_ date: Date, _ field: String, now: Date = Date()) {
        if date > now.addingTimeInterval(300) { fail(field, "must not be in the future") }
    }

    /// Base64 content (RFC 4648, padded) of at most `maximumBytes` once decoded.
    mutating func base64(_ value: String?, _ field: String, maximumBytes: Int) -> Data? {
        guard let value else { return nil }
        guard let data = Data(base64Encoded: value) else {
            fail(field, "must be base64")
            return nil
        }
        if data.count > maximumBytes { fail(field, "must decode to at most \(maximumBytes) bytes") }
        return data
    }
}
