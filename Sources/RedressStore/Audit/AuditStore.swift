import Foundation
import Postgres
import RedressCore

/// The audit trail (`sql/0012_audit.sql`): auditors read it within their scope, the scheduler
/// seals new entries into each branch's hash chain, and operators verify the chains as the owner.
public struct AuditStore: Sendable {
    let pool: PGPool

    /// Creates the store on a pool (the service pool, or the owner's for `verify`).
    public init(pool: PGPool) { self.pool = pool }

    /// One audit entry as auditors see it.
    public struct Entry: Sendable, Codable, Equatable {
        public var id: Int64
        public var branchId: UUID
        public var at: Date
        public var actorId: UUID?
        public var actorRoles: [String]
        public var requestId: String?
        public var action: String
        public var entity: String
        public var entityId: UUID?
        public var before: JSONDocument?
        public var after: JSONDocument?
        /// The entry's place in its branch's chain; nil until sealed (within moments).
        public var seq: Int64?
        /// SHA-256 of the entry and the previous entry's hash, hex; nil until sealed.
        public var hash: String?
        /// Where the entry stands in the trail, for the next page.
        public var cursor: AuditCursor
    }

    /// A broken link in a branch's chain: the first entry from which the chain does not hold.
    public struct Break: Sendable, Equatable {
        public var branchID: UUID
        public var seq: Int64
        public var id: Int64
        public var problem: String
    }

    /// A branch's chain: how many entries are sealed, how many wait, and the newest hash (to keep
    /// outside the database as an anchor).
    public struct Chain: Sendable, Equatable {
        public var branchID: UUID
        public var sealed: Int
        public var unsealed: Int
        public var tipHash: String?
    }

    /// The newest entries visible to `scope` (auditors of their branches), optionally of one
    /// entity or row, after the place `after` (newest first, by time and then id).
    public func entries(_ scope: AccessScope, database: ScopedDatabase, entity: String?, entityID: UUID?, after: AuditCursor?,
                        limit: Int) async throws -> [Entry] {
        try await database.withScope(scope, readOnly: true) { connection in
            try await connection.query("""
                SELECT id, branch_id, at, actor_id, actor_roles, request_id, action, entity, entity_id, before, after,
                       seq, encode(hash, 'hex'), (extract(epoch FROM at) * 1000000)::bigint
                  FROM audit_log
                 WHERE (\(entity)::text IS NULL OR entity = \(entity)) AND (\(entityID)::uuid IS NULL OR entity_id = \(entityID))
                   AND (\(after?.id)::bigint IS NULL
                        OR (at, id) < (timestamptz 'epoch' + (\(after?.microseconds)::bigint::text || ' microseconds')::interval, \(after?.id)::bigint))
                 ORDER BY at DESC, id DESC LIMIT \(Int32(limit))
                """).map { row in
                Entry(id: try row.decode(at: 0), branchId: try row.decode(at: 1), at: try row.decode(at: 2), actorId: try row.decode(at: 3),
                      actorRoles: try row.decode(at: 4), requestId: try row.decode(at: 5), action: try row.decode(at: 6),
                      entity: try row.decode(at: 7), entityId: try row.decode(at: 8),
                      before: try row.decode(PGJSON<JSONDocument>?.self, at: 9)?.value,
                      after: try row.decode(PGJSON<JSONDocument>?.self, at: 10)?.value,
                      seq: try row.decode(at: 11), hash: try row.decode(at: 12),
                      cursor: AuditCursor(microseconds: try row.decode(at: 13), id: try row.decode(at: 0)))
            }
        }
    }

    /// A branch's chain as its auditors see it: its counts, newest hash, and first break if any.
    public struct ChainState: Sendable, Equatable {
        public var branchID: UUID
        public var sealed: Int64
        public var unsealed: Int64
        public var tipSeq: Int64?
        public var tipHash: String?
        /// The first entry from which the chain does not hold, and why; nil while it holds.
        public var breakSeq: Int64?
        public var problem: String?
    }

    /// The chain of each branch `scope` audits, verified entry by entry (`audit.chain_state`).
    public func chainStates(_ scope: AccessScope, database: ScopedDatabase) async throws -> [ChainState] {
        guard scope.roles.contains(.auditor) else { return [] }
        var states: [ChainState] = []
        for branch in scope.caseBranchIDs.sorted(by: { $0.uuidString < $1.uuidString }) {
            let row = try await database.withScope(scope, readOnly: true) { connection in
                try await connection.query("""
                    SELECT sealed, unsealed, tip_seq, tip_hash, break_seq, problem FROM audit.chain_state(\(branch))
                    """)[0]
            }
            states.append(ChainState(branchID: branch, sealed: try row.decode(at: 0), unsealed: try row.decode(at: 1),
                                     tipSeq: try row.decode(at: 2), tipHash: try row.decode(at: 3), breakSeq: try row.decode(at: 4),
                                     problem: try row.decode(at: 5)))
        }
        return states
    }

    /// Seals up to `batch` new entries into their branches' chains; returns how many.
    public func seal(batch: Int) async throws -> Int {
        Int(try await pool.query("SELECT audit.seal(\(Int32(batch)))")[0].decode(Int32.self, at: 0))
    }

    /// Every branch's chain and its first break, if any (needs the owner's pool).
    public func verify() async throws -> (chains: [Chain], breaks: [Break]) {
        let chains = try await pool.query("""
            SELECT branch_id, count(seq)::integer, (count(*) - count(seq))::integer,
                   (SELECT encode(t.hash, 'hex') FROM audit_log t WHERE t.branch_id = a.branch_id AND t.seq IS NOT NULL
                     ORDER BY t.seq DESC LIMIT 1)
              FROM audit_log a GROUP BY branch_id ORDER BY branch_id
            """).map { row in
            Chain(branchID: try row.decode(at: 0), sealed: try row.decode(at: 1), unsealed: try row.decode(at: 2), tipHash: try row.decode(at: 3))
        }
        let breaks = try await pool.query("SELECT branch_id, seq, id, problem FROM audit.verify()").map { row in
            Break(branchID: try row.decode(at: 0), seq: try row.decode(at: 1), id: try row.decode(at: 2), problem: try row.decode(at: 3))
        }
        return (chains, breaks)
    }

    /// Records, in the current transaction, that the caller read a row holding customer personal
    /// data (or exported some); the entry names the row, never the data.
    static func recordAccess(_ connection: PGConnection, branchID: UUID, action: String, entity: String, entityID: UUID?,
                             details: [String: String] = [:]) async throws {
        try await connection.query("""
            SELECT audit.record_access(\(branchID), \(action), \(entity), \(entityID)::uuid, \(PGJSON(details)))
            """)
    }
}
