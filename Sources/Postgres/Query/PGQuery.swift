/// A SQL statement with its bound parameters.
///
/// Built by string interpolation: every interpolated value becomes a `$n` placeholder plus a bound
/// parameter, so values never become SQL text.
///
/// ```swift
/// let rows = try await connection.query("SELECT name FROM users WHERE id = \(id)")
/// ```
///
/// SQL text that must be spliced in (an identifier chosen by code, never by input) needs the
/// visibly unsafe `\(unescaped: …)` interpolation.
public struct PGQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text with `$1`, `$2`, … placeholders.
    public var sql: String
    /// The bound parameters, in placeholder order.
    public var binds: PGBinds

    /// A statement without parameters.
    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = PGBinds()
    }

    /// A statement built by interpolation.
    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// A statement from SQL text and binds already numbered to match.
    public init(unsafeSQL sql: String, binds: PGBinds = PGBinds()) {
        self.sql = sql
        self.binds = binds
    }

    /// The SQL text only; bound values are never printed.
    public var description: String { sql }

    /// Collects SQL text and binds while a query literal is interpolated.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var binds: PGBinds

        /// Reserves room for the literal.
        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = PGBinds(capacity: interpolationCount)
        }

        /// Appends SQL text.
        public mutating func appendLiteral(_ literal: String) { sql += literal }

        /// Appends a value as a bound parameter.
        public mutating func appendInterpolation(_ value: some PGEncodable) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// Appends an optional value as a bound parameter; `nil` binds SQL NULL.
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value?) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// Appends raw SQL text. Only for text chosen by code, never for input.
        public mutating func appendInterpolation(unescaped text: String) { sql += text }
    }
}
