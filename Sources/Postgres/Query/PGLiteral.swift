/// SQL literals for the few statements that cannot take bound parameters (`SET LOCAL`), written
/// so that no text can end them early, whatever `standard_conforming_strings` says.
public enum PGLiteral {
    /// A text that cannot be a literal: PostgreSQL text never holds NUL.
    public struct ContainsNUL: Error, CustomStringConvertible {
        public var description: String { "a PostgreSQL text literal cannot hold a NUL character" }
    }

    /// `text` as an escape-string literal (`E'…'`): each backslash doubled, each quote doubled.
    /// Inside `E'…'` only those two characters are special, so the result reads back as `text`.
    public static func string(_ text: String) throws -> String {
        guard !text.unicodeScalars.contains("\0") else { throw ContainsNUL() }
        var quoted = "E'"
        quoted.reserveCapacity(text.utf8.count + 3)
        for character in text.unicodeScalars {
            switch character {
            case "\\": quoted += "\\\\"
            case "'": quoted += "''"
            default: quoted.unicodeScalars.append(character)
            }
        }
        return quoted + "'"
    }

    /// A configuration parameter's name (`redress.user_id`), checked rather than quoted: letters,
    /// digits, `_` and one or more `.` between them, as PostgreSQL's custom settings are named.
    public static func settingName(_ name: String) -> String {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        precondition(!parts.isEmpty && parts.allSatisfy { part in
            guard let first = part.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
            return part.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
        }, "\(name) is not a setting name")
        return name
    }
}
