/// A five-character SQLSTATE code, with named constants for the ones the service reacts to.
public struct PGSQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The five-character code, e.g. `23505`.
    public let rawValue: String

    /// Wraps a SQLSTATE code.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The code itself.
    public var description: String { rawValue }

    /// `23505`: a unique constraint was violated.
    public static let uniqueViolation = PGSQLState(rawValue: "23505")
    /// `23503`: a foreign key constraint was violated.
    public static let foreignKeyViolation = PGSQLState(rawValue: "23503")
    /// `23502`: a NOT NULL constraint was violated.
    public static let notNullViolation = PGSQLState(rawValue: "23502")
    /// `23514`: a CHECK constraint was violated.
    public static let checkViolation = PGSQLState(rawValue: "23514")
    /// `42501`: insufficient privilege, also raised by a row-level security `WITH CHECK` failure.
    public static let insufficientPrivilege = PGSQLState(rawValue: "42501")
    /// `40001`: serialization failure; the transaction may be retried.
    public static let serializationFailure = PGSQLState(rawValue: "40001")
    /// `40P01`: deadlock detected; the transaction may be retried.
    public static let deadlockDetected = PGSQLState(rawValue: "40P01")
    /// `57014`: the statement was cancelled (by request or by `statement_timeout`).
    public static let queryCanceled = PGSQLState(rawValue: "57014")
    /// `57P01`: the server is shutting down (administrator command).
    public static let adminShutdown = PGSQLState(rawValue: "57P01")
    /// `57P02`: the server crashed and is restarting.
    public static let crashShutdown = PGSQLState(rawValue: "57P02")
    /// `57P03`: the server is starting up and cannot accept connections yet.
    public static let cannotConnectNow = PGSQLState(rawValue: "57P03")
    /// `25P02`: the transaction is aborted; commands are ignored until ROLLBACK.
    public static let inFailedTransaction = PGSQLState(rawValue: "25P02")
    /// `22P02`: invalid text representation of a value.
    public static let invalidTextRepresentation = PGSQLState(rawValue: "22P02")
    /// `42P01`: the relation does not exist.
    public static let undefinedTable = PGSQLState(rawValue: "42P01")
    /// `0A000`: feature not supported (e.g. a cached plan whose result type changed).
    public static let featureNotSupported = PGSQLState(rawValue: "0A000")
    /// `26000`: the prepared statement does not exist.
    public static let invalidSQLStatementName = PGSQLState(rawValue: "26000")
    /// `55P03`: a lock could not be obtained (`NOWAIT`).
    public static let lockNotAvailable = PGSQLState(rawValue: "55P03")

    /// True for the failures a transaction may simply be retried after.
    public var isRetryable: Bool { self == .serializationFailure || self == .deadlockDetected }
}
