import Crypto
import Foundation
import Postgres
import RedressCore

/// The communications log, evidence and responsibility findings of a complaint. Whoever can see
/// the complaint may add to them; each addition is also a timeline entry.
public struct CaseWorkStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// The complaint's branch, or `.notFound` when the caller cannot see it.
    static func visibleBranch(of complaintID: UUID, _ connection: PGConnection) async throws -> UUID {
        let rows = try await connection.query("SELECT branch_id FROM complaints WHERE id = \(complaintID)")
        guard let branch = try rows.first?.decode(UUID.self, at: 0) else { throw StoreError.notFound }
        return branch
    }

    /// Appends a timeline entry for an addition (the case's lock held, as ``CaseVisibility`` asks).
    static func recordEvent(_ kind: String, caller: Caller, branchID: UUID, complaintID: UUID,
                            after: [String: String?], note: String? = nil, _ connection: PGConnection) async throws {
        try await connection.execute("""
            INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind, after, note, \(unescaped: CaseVisibility.columns))
            SELECT \(branchID), \(complaintID), \(caller.userID), \(caller.actorRoles), \(kind),
                   \(PGJSON(after)), \(note), \(unescaped: CaseVisibility.fromComplaint)
              FROM complaints c WHERE c.branch_id = \(branchID) AND c.id = \(complaintID)
            """)
    }

    /// Writes a communication to the log as the caller, in their open transaction with the case's
    /// lock held (``CaseVisibility``); nil when the complaint is not there, or a message with
    /// `messageID` is in its log already.
    static func logCommunication(_ caller: Caller, branchID: UUID, complaintID: UUID, direction: String, channel: String, kind: String,
                                 content: String, messageID: String? = nil, _ connection: PGConnection) async throws -> Communication? {
        try await connection.query("""
            INSERT INTO complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by, message_id,
                                                  \(unescaped: CaseVisibility.columns))
            SELECT \(branchID), \(complaintID), \(direction), \(channel), \(kind), \(content), \(caller.userID), \(messageID),
                   \(unescaped: CaseVisibility.fromComplaint)
              FROM complaints c WHERE c.branch_id = \(branchID) AND c.id = \(complaintID)
            ON CONFLICT (branch_id, complaint_id, message_id) WHERE message_id IS NOT NULL DO NOTHING
            RETURNING id, complaint_id, at, direction, channel, kind, content, recorded_by
            """).first.map(communication)
    }

    /// Logs a communication with the customer or an internal note.
    public func addCommunication(_ caller: Caller, complaintID: UUID, direction: String, channel: String,
                                 kind: String, content: String) async throws -> Communication {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let branch = try await CaseVisibility.lockShared(complaintID, connection)
                guard let entry = try await Self.logCommunication(caller, branchID: branch, complaintID: complaintID, direction: direction,
                                                                  channel: channel, kind: kind, content: content, connection) else {
                    throw StoreError.notFound
                }
                if let milestone = SLAMilestone.met(byCommunication: kind) {
                    // A collaborating department may log but not change the complaint: its
                    // message does not count toward the responsible department's milestones.
                    do {
                        // Locked first, so that a milestone a delivery meets meanwhile is not written over.
                        try await connection.execute("SELECT FROM complaints WHERE branch_id = \(branch) AND id = \(complaintID) FOR NO KEY UPDATE")
                        _ = try await ComplaintStore.refreshSchedule(branchID: branch, complaintID: complaintID, meeting: [milestone], connection)
                    } catch StoreError.forbidden {}
                }
                try await Self.recordEvent("communication", caller: caller, branchID: branch, complaintID: complaintID,
                                           after: ["id": entry.id.uuidString.lowercased(), "direction": direction,
                                                   "channel": channel, "kind": kind], connection)
                return entry
            }
        }
    }

    /// The communications log, oldest first.
    public func communications(_ scope: AccessScope, complaintID: UUID) async throws -> [Communication] {
        try await database.withScope(scope, readOnly: true) { connection in
            let branch = try await Self.visibleBranch(of: complaintID, connection)
            return try await connection.query("""
                SELECT id, complaint_id, at, direction, channel, kind, content, recorded_by FROM complaint_communications
                 WHERE branch_id = \(branch) AND complaint_id = \(complaintID) ORDER BY at, id
                """).map(Self.communication)
        }
    }

    /// What a new piece of evidence is.
    public struct NewEvidence: Sendable {
        public var type: String
        public var source: String
        public var description: String?
        public var collectedAt: Date
        public var collectedBy: String
        public var contentType: String?
        public var content: Data?

        /// Creates the description of new evidence.
        public init(type: String, source: String, description: String? = nil, collectedAt: Date, collectedBy: String,
                    contentType: String? = nil, content: Data? = nil) {
            self.type = type
            self.source = source
            self.description = description
            self.collectedAt = collectedAt
            self.collectedBy = collectedBy
            self.contentType = contentType
            self.content = content
        }
    }

    static let evidenceColumns = """
        id, complaint_id, type, source, description, collected_at, collected_by, content_type, size, sha256, recorded_by, recorded_at
        """

    /// Records evidence; the database checks the SHA-256 and size against the content.
    public func addEvidence(_ caller: Caller, complaintID: UUID, _ evidence: NewEvidence) async throws -> Evidence {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                try await Self.addEvidence(caller, complaintID: complaintID, evidence, connection)
            }
        }
    }

    /// Adds evidence in the caller's open transaction (see the public `addEvidence`).
    static func addEvidence(_ caller: Caller, complaintID: UUID, _ evidence: NewEvidence, _ connection: PGConnection) async throws -> Evidence {
        let content = evidence.content ?? Data()
        let digest = Data(SHA256.hash(data: content))
        let branch = try await CaseVisibility.lockShared(complaintID, connection)
        let rows = try await connection.query("""
            INSERT INTO complaint_evidence (branch_id, complaint_id, type, source, description, collected_at, collected_by,
                                            content_type, content, size, sha256, recorded_by, \(unescaped: CaseVisibility.columns))
            SELECT \(branch), \(complaintID), \(evidence.type), \(evidence.source), \(evidence.description),
                   \(evidence.collectedAt), \(evidence.collectedBy), \(evidence.contentType), \(evidence.content),
                   \(content.count), \(digest), \(caller.userID), \(unescaped: CaseVisibility.fromComplaint)
              FROM complaints c WHERE c.branch_id = \(branch) AND c.id = \(complaintID)
            RETURNING \(unescaped: evidenceColumns)
            """)
        guard let row = rows.first else { throw StoreError.notFound }
        let recorded = try Self.evidence(row)
        try await recordEvent("evidence", caller: caller, branchID: branch, complaintID: complaintID,
                              after: ["id": recorded.id.uuidString.lowercased(), "type": recorded.type,
                                      "sha256": recorded.sha256, "size": String(recorded.size)], connection)
        return recorded
    }

    /// The evidence of a complaint, without content, oldest first.
    public func evidence(_ scope: AccessScope, complaintID: UUID) async throws -> [Evidence] {
        try await database.withScope(scope, readOnly: true) { connection in
            let branch = try await Self.visibleBranch(of: complaintID, connection)
            return try await connection.query("""
                SELECT \(unescaped: Self.evidenceColumns) FROM complaint_evidence
                 WHERE branch_id = \(branch) AND complaint_id = \(complaintID) ORDER BY recorded_at, id
                """).map(Self.evidence)
        }
    }

    /// The stored content of one piece of evidence and its media type.
    public func evidenceContent(_ scope: AccessScope, complaintID: UUID, evidenceID: UUID) async throws -> (contentType: String?, content: Data) {
        try await database.withScope(scope, readOnly: true) { connection in
            let branch = try await Self.visibleBranch(of: complaintID, connection)
            let rows = try await connection.query("""
                SELECT content_type, coalesce(content, ''::bytea) FROM complaint_evidence
                 WHERE branch_id = \(branch) AND complaint_id = \(complaintID) AND id = \(evidenceID)
                """)
            guard let row = rows.first else { throw StoreError.notFound }
            return (try row.decode(at: 0), try row.decode(at: 1))
        }
    }

    /// Records a responsibility finding.
    public func addFinding(_ caller: Caller, complaintID: UUID, basis: String, directParties: [String],
                           indirectParties: [String], summary: String, accountability: String?) async throws -> Finding {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let branch = try await CaseVisibility.lockShared(complaintID, connection)
                let rows = try await connection.query("""
                    INSERT INTO complaint_findings (branch_id, complaint_id, basis, direct_parties, indirect_parties, summary,
                                                    accountability, recorded_by, \(unescaped: CaseVisibility.columns))
                    SELECT \(branch), \(complaintID), \(basis), \(directParties), \(indirectParties), \(summary),
                           \(accountability), \(caller.userID), \(unescaped: CaseVisibility.fromComplaint)
                      FROM complaints c WHERE c.branch_id = \(branch) AND c.id = \(complaintID)
                    RETURNING id, complaint_id, basis, direct_parties, indirect_parties, summary, accountability, recorded_by, recorded_at
                    """)
                guard let row = rows.first else { throw StoreError.notFound }
                let finding = try Self.finding(row)
                try await Self.recordEvent("finding", caller: caller, branchID: branch, complaintID: complaintID,
                                           after: ["id": finding.id.uuidString.lowercased(), "basis": basis], connection)
                return finding
            }
        }
    }

    /// The responsibility findings, oldest first.
    public func findings(_ scope: AccessScope, complaintID: UUID) async throws -> [Finding] {
        try await database.withScope(scope, readOnly: true) { connection in
            let branch = try await Self.visibleBranch(of: complaintID, connection)
            return try await connection.query("""
                SELECT id, complaint_id, basis, direct_parties, indirect_parties, summary, accountability, recorded_by, recorded_at
                  FROM complaint_findings WHERE branch_id = \(branch) AND complaint_id = \(complaintID) ORDER BY recorded_at, id
                """).map(Self.finding)
        }
    }

    static func communication(_ row: PGRow) throws -> Communication {
        Communication(id: try row.decode(at: 0), complaintId: try row.decode(at: 1), at: try row.decode(at: 2),
                      direction: try row.decode(at: 3), channel: try row.decode(at: 4), kind: try row.decode(at: 5),
                      content: try row.decode(at: 6), recordedBy: try row.decode(at: 7))
    }

    static func evidence(_ row: PGRow) throws -> Evidence {
        Evidence(id: try row.decode(at: 0), complaintId: try row.decode(at: 1), type: try row.decode(at: 2),
                 source: try row.decode(at: 3), description: try row.decode(at: 4), collectedAt: try row.decode(at: 5),
                 collectedBy: try row.decode(at: 6), contentType: try row.decode(at: 7), size: try row.decode(at: 8),
                 sha256: try row.decode(Data.self, at: 9).map { String(format: "%02x", $0) }.joined(),
                 recordedBy: try row.decode(at: 10), recordedAt: try row.decode(at: 11))
    }

    static func finding(_ row: PGRow) throws -> Finding {
        Finding(id: try row.decode(at: 0), complaintId: try row.decode(at: 1), basis: try row.decode(at: 2),
                directParties: try row.decode(at: 3), indirectParties: try row.decode(at: 4), summary: try row.decode(at: 5),
                accountability: try row.decode(at: 6), recordedBy: try row.decode(at: 7), recordedAt: try row.decode(at: 8))
    }
}
