import Postgres

/// Assembles a statement from fragments chosen by code, with every value bound as a parameter.
/// For queries whose shape depends on which filters are present, so that each shape becomes its
/// own prepared statement with a plan that fits it.
struct SQLBuilder {
    private(set) var sql: String
    private var binds = PGBinds()

    /// Starts with `sql`, text chosen by code.
    init(_ sql: String) { self.sql = sql }

    /// Appends text chosen by code, never input.
    mutating func append(_ text: String) { sql += text }

    /// Binds `value` and returns its placeholder (`$n`).
    mutating func bind(_ value: some PGEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds an optional value (nil is SQL NULL) and returns its placeholder.
    mutating func bind<Value: PGEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// The condition that continues a listing ordered by `(time, id)` after `cursor`, whose key is
    /// the time in whole microseconds since 1970; nil for a first page.
    mutating func after(_ cursor: PageCursor?, time: String, id: String, descending: Bool) -> String? {
        guard let cursor else { return nil }
        return "(\(time), \(id)) \(descending ? "<" : ">") (timestamptz 'epoch' + \(bind(Int64(cursor.key) ?? 0))"
            + " * interval '1 microsecond', \(bind(cursor.id)))"
    }

    /// The finished statement.
    var query: PGQuery { PGQuery(unsafeSQL: sql, binds: binds) }
}
