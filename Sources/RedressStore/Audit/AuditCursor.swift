import Foundation

/// A place in the audit trail, newest first: an entry's time, in microseconds since 1970, and its
/// id, which breaks ties. The trail is ordered by time, not by id: on Citus each node hands out
/// ids from a range of its own, so ids do not follow the order entries were written in.
public struct AuditCursor: Sendable, Equatable, Codable {
    /// When the entry was written, in microseconds since 1970 (exact, as PostgreSQL keeps it).
    public var microseconds: Int64
    /// The entry's id.
    public var id: Int64

    /// Creates the cursor of an entry.
    public init(microseconds: Int64, id: Int64) {
        self.microseconds = microseconds
        self.id = id
    }

    /// Reads a cursor a client sent back (`<microseconds>-<id>`); nil when it was not made by ``encoded``.
    public init?(encoded: String) {
        let parts = encoded.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }),
              let microseconds = Int64(parts[0]), let id = Int64(parts[1]), id > 0
        else { return nil }
        self.init(microseconds: microseconds, id: id)
    }

    /// The form handed to clients.
    public var encoded: String { "\(microseconds)-\(id)" }
}
