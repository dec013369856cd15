/// A notification delivered by `NOTIFY` (or `pg_notify`) on a channel the listener follows.
public struct PGNotification: Sendable, Equatable {
    /// The channel name.
    public var channel: String
    /// The payload text (empty when none was given).
    public var payload: String
    /// The server process id of the session that sent it.
    public var senderPID: Int32
}
