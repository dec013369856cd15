import Foundation

/// Shapes the API's JSON for the templates: words of a vocabulary get their label in the reader's
/// language beside them (`status` → `statusLabel`), times a readable form (`dueAt` → `dueAtText`),
/// and field errors and submitted values are nested by their JSON pointer so that a template
/// reads `{{errors.complainant.phone}}`.
enum ConsoleValues {
    /// Keys whose values are words of a vocabulary with labels in the catalogue (`status_received`).
    static let vocabularies: Set<String> = [
        "status", "channel", "priority", "nature", "bucket", "kind", "direction", "source", "customerType",
        "recipientKind", "counting", "action", "language", "preferredChannel", "basis", "type",
    ]

    /// `value` with labels and readable times added, at every depth.
    static func labelled(_ value: Any, _ t: [String: String]) -> Any {
        switch value {
        case let object as [String: Any]:
            var result: [String: Any] = [:]
            for (key, member) in object {
                result[key] = labelled(member, t)
                if vocabularies.contains(key), let word = member as? String { result[key + "Label"] = t["\(key)_\(word)"] ?? word }
                if let text = member as? String, key.hasSuffix("At") || key == "at" || key == "since" || key == "promisedBy",
                   let readable = readableTime(text) {
                    result[key + "Text"] = readable
                }
            }
            return result
        case let array as [Any]:
            return array.map { labelled($0, t) }
        default:
            return value
        }
    }

    /// An RFC 3339 time (with or without fractions of a second) as a date.
    static func date(_ text: String) -> Date? {
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = parser.date(from: text) { return date }
        parser.formatOptions = [.withInternetDateTime]
        return parser.date(from: text)
    }

    /// An RFC 3339 time as `2026-12-05 09:30 UTC`. The API writes its times in UTC
    /// (`2026-12-05T09:30:00.000Z`), which is read by position; anything else goes through a parser.
    static func readableTime(_ text: String) -> String? {
        let characters = Array(text.utf8)
        if characters.count >= 17, characters.last == UInt8(ascii: "Z"), characters[10] == UInt8(ascii: "T"),
           characters[4] == UInt8(ascii: "-"), characters[13] == UInt8(ascii: ":"),
           characters[..<16].allSatisfy({ (48...58).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "T") }) {
            return String(decoding: characters[..<10], as: UTF8.self) + " " + String(decoding: characters[11..<16], as: UTF8.self) + " UTC"
        }
        guard let date = date(text) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    /// Values nested by JSON pointer: `["/complainant/phone": "x"]` → `["complainant": ["phone": "x"]]`.
    static func nested(_ flat: [String: String]) -> [String: Any] {
        var result: [String: Any] = [:]
        for (pointer, value) in flat {
            let path = pointer.split(separator: "/").map(String.init).filter { !$0.isEmpty }
            guard !path.isEmpty else { continue }
            result = inserting(value, at: path[...], into: result)
        }
        return result
    }

    private static func inserting(_ value: String, at path: ArraySlice<String>, into object: [String: Any]) -> [String: Any] {
        var object = object
        guard let head = path.first else { return object }
        if path.count == 1 {
            object[head] = value
        } else {
            object[head] = inserting(value, at: path.dropFirst(), into: object[head] as? [String: Any] ?? [:])
        }
        return object
    }

    /// `value`, or a null the templates treat as absent (an optional itself would render as `nil`).
    static func optional(_ value: Any?) -> Any { value ?? NSNull() }

    /// Options for a `<select>`: each word with its label and whether it is the chosen one.
    static func options(_ words: [String], key: String, chosen: String?, _ t: [String: String]) -> [[String: Any]] {
        words.map { ["value": $0, "label": t["\(key)_\($0)"] ?? $0, "selected": $0 == chosen] }
    }
}
