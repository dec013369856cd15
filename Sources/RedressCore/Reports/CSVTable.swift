import Foundation

/// A table written as CSV (RFC 4180): a header row, comma-separated fields, CRLF line ends; a
/// field holding a comma, quote or line break is quoted with its quotes doubled. Text that a
/// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is prefixed
/// with `'`; numbers are written as they are. Optionally starts with a UTF-8 byte order mark, which
/// spreadsheet programs need to read non-ASCII text correctly.
public struct CSVTable: Sendable {
    /// One cell.
    public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral {
        case text(String?)
        case integer(Int?)
        case decimal(Double?, places: Int)

        public init(stringLiteral value: String) { self = .text(value) }

        var field: String {
            switch self {
            case .text(let value):
                guard let value else { return "" }
                if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { return "'" + value }
                return value
            case .integer(let value):
                return value.map(String.init) ?? ""
            case .decimal(let value, let places):
                guard let value, value.isFinite else { return "" }
                return Self.decimal(value, places: places)
            }
        }

        /// Fixed-point text without locale or exponent: `-0.0500` for -0.05 at 4 places.
        static func decimal(_ value: Double, places: Int) -> String {
            var scale = 1.0
            for _ in 0..<places { scale *= 10 }
            let scaled = (abs(value) * scale).rounded()
            let whole = Int(scaled / scale)
            let fraction = Int(scaled - Double(whole) * scale)
            let sign = value < 0 && scaled > 0 ? "-" : ""
            guard places > 0 else { return sign + String(whole) }
            let digits = String(fraction)
            return sign + String(whole) + "." + String(repeating: "0", count: places - digits.count) + digits
        }
    }

    public var header: [String]
    public var rows: [[Cell]] = []

    /// Creates an empty table with `header`.
    public init(header: [String]) { self.header = header }

    /// Appends a row (as many cells as the header has names).
    public mutating func append(_ row: [Cell]) {
        precondition(row.count == header.count, "a CSV row needs one cell per column")
        rows.append(row)
    }

    /// The table as CSV bytes, with a byte order mark first when `byteOrderMark` is set.
    public func encoded(byteOrderMark: Bool) -> [UInt8] {
        var text = header.map(Self.quoted).joined(separator: ",") + "\r\n"
        for row in rows {
            text += row.map { Self.quoted($0.field) }.joined(separator: ",") + "\r\n"
        }
        return (byteOrderMark ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
