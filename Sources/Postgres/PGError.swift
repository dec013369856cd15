/// The one error type of the PostgreSQL client.
///
/// It carries what the server said (SQLSTATE, message, detail, hint, constraint) and the SQL text
/// that failed, never the bound values. Its `description` stays generic so that internals do not
/// reach end users by accident; `debugDescription` has everything for logs.
public struct PGError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// Connecting to the server failed.
        case connectionFailed
        /// The connection broke while a statement was running or was already unusable.
        case connectionClosed
        /// The server rejected the statement; `sqlState` says why.
        case server
        /// A value in a result could not be decoded into the requested Swift type.
        case decoding
        /// A column name or index that the result does not have.
        case missingColumn
        /// No connection became free within the pool's acquire timeout.
        case acquireTimeout
        /// The pool has shut down.
        case poolClosed
        /// A migration file is missing, changed after being applied, or failed.
        case migration
        /// A protocol-level surprise from libpq (unexpected result status).
        case protocolViolation
    }

    /// What kind of failure this is.
    public var code: Code
    /// The five-character SQLSTATE the server reported, when there is one.
    public var sqlState: PGSQLState?
    /// The server's (or the client's) primary message.
    public var message: String
    /// The server's DETAIL field.
    public var detail: String?
    /// The server's HINT field.
    public var hint: String?
    /// The constraint that was violated, when the server names one.
    public var constraint: String?
    /// The table the error relates to, when the server names one.
    public var table: String?
    /// The column the error relates to, when the server names one.
    public var column: String?
    /// The SQL text that failed (never the bound values).
    public var query: String?
    /// The server function that raised the error (its `R` field), which, unlike the message, is
    /// never translated.
    public var routine: String?

    /// Creates an error; used by the client and by tests.
    public init(
        _ code: Code, message: String, sqlState: PGSQLState? = nil, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, table: String? = nil,
        column: String? = nil, query: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
        self.query = query
    }

    /// A generic description that leaks nothing about the query or the data.
    public var description: String {
        if let sqlState { return "PostgreSQL error \(code.rawValue) (SQLSTATE \(sqlState.rawValue))" }
        return "PostgreSQL error \(code.rawValue)"
    }

    /// Everything known about the error, for logs.
    public var debugDescription: String {
        var parts = ["\(code.rawValue): \(message)"]
        if let sqlState { parts.append("sqlstate=\(sqlState.rawValue)") }
        if let detail { parts.append("detail=\(detail)") }
        if let hint { parts.append("hint=\(hint)") }
        if let constraint { parts.append("constraint=\(constraint)") }
        if let query { parts.append("query=\(query)") }
        return parts.joined(separator: " ")
    }

    /// True for "cached plan must not change result type": a prepared statement whose result
    /// columns changed under it (a schema change). Preparing it again fixes it, so it is retried
    /// once; no other error is.
    public var isCachedPlanChange: Bool {
        sqlState == .featureNotSupported
            && (routine == "RevalidateCachedQuery" || message.hasPrefix("cached plan must not change result type"))
    }

    /// True when the connection that produced this error cannot be used again.
    public var isConnectionLevel: Bool {
        code == .connectionFailed || code == .connectionClosed
            || sqlState?.rawValue.hasPrefix("08") == true
            || sqlState == .adminShutdown || sqlState == .crashShutdown
    }
}
