import Foundation
import Postgres
import RedressCore

/// An institutional complaint's referral: who sent it, their reference, when it must be answered,
/// and the answer (`sql/0067_institutional_referrals.sql`).
public struct InstitutionalReferral: Sendable, Equatable {
    public var id: UUID
    public var complaintID: UUID
    public var institution: String
    /// `regulator`, `industry_association`, `evaluation_body`, `consumer_association` or `other`.
    public var institutionKind: String
    public var reference: String
    public var replyDueAt: Date
    public var recordedBy: UUID
    public var recordedAt: Date
    public var reply: String?
    public var repliedBy: UUID?
    public var repliedAt: Date?
    /// When the scheduler escalated it as unanswered past its due time.
    public var escalatedAt: Date?
    /// Unanswered and past its due time.
    public var overdue: Bool
}

/// A dealing with a regulator, consumer association, police, media or court about a complaint.
public struct ComplaintDealing: Sendable, Equatable {
    public var id: UUID
    public var complaintID: UUID
    public var partyKind: String
    public var party: String
    /// `inbound` or `outbound`.
    public var direction: String
    public var summary: String
    public var at: Date
    public var recordedBy: UUID
}

/// Referrals of institutional complaints and the log of dealings with outside bodies, both rows of
/// their complaint, written by whoever may work on it and on its timeline.
public struct InstitutionStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    static let referralColumns = """
        r.id, r.complaint_id, r.institution, r.institution_kind, r.reference, r.reply_due_at, r.recorded_by, r.recorded_at, r.reply,
        r.replied_by, r.replied_at, r.escalated_at, r.replied_at IS NULL AND r.reply_due_at < now()
        """

    static func referral(_ row: PGRow) throws -> InstitutionalReferral {
        InstitutionalReferral(id: try row.decode(at: 0), complaintID: try row.decode(at: 1), institution: try row.decode(at: 2),
                              institutionKind: try row.decode(at: 3), reference: try row.decode(at: 4), replyDueAt: try row.decode(at: 5),
                              recordedBy: try row.decode(at: 6), recordedAt: try row.decode(at: 7), reply: try row.decode(at: 8),
                              repliedBy: try row.decode(at: 9), repliedAt: try row.decode(at: 10), escalatedAt: try row.decode(at: 11),
                              overdue: try row.decode(at: 12))
    }

    static func fetchReferral(branch: UUID, complaintID: UUID, _ connection: PGConnection) async throws -> InstitutionalReferral? {
        try await connection.query("""
            SELECT \(unescaped: referralColumns) FROM institutional_referrals r WHERE r.branch_id = \(branch) AND r.complaint_id = \(complaintID)
            """).first.map(referral)
    }

    /// The complaint's referral; `.notFound` when the caller cannot see the complaint or it has none.
    public func referral(_ caller: Caller, complaintID: UUID) async throws -> InstitutionalReferral {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            let branch = try await CaseWorkStore.visibleBranch(of: complaintID, connection)
            guard let referral = try await Self.fetchReferral(branch: branch, complaintID: complaintID, connection) else {
                throw StoreError.notFound
            }
            return referral
        }
    }

    /// Records the referral of an institutional complaint, once; `.conflict` when the complaint's
    /// source is not `institutional` or it has a referral already.
    public func refer(_ caller: Caller, complaintID: UUID, institution: String, kind: String, reference: String,
                      replyDueAt: Date) async throws -> InstitutionalReferral {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let branch = try await CaseVisibility.lockShared(complaintID, connection)
                let source = try await connection.query("""
                    SELECT source FROM complaints WHERE branch_id = \(branch) AND id = \(complaintID)
                    """)[0].decode(String.self, at: 0)
                guard source == "institutional" else {
                    throw StoreError.conflict(field: "id", message: "is a complaint from the \(source) source, not an institution's")
                }
                if try await Self.fetchReferral(branch: branch, complaintID: complaintID, connection) != nil {
                    throw StoreError.conflict(field: "id", message: "has its referral recorded already")
                }
                try await connection.execute("""
                    INSERT INTO institutional_referrals (branch_id, complaint_id, institution, institution_kind, reference, reply_due_at,
                                                         recorded_by, \(unescaped: CaseVisibility.columns))
                    SELECT c.branch_id, c.id, \(institution), \(kind), \(reference), \(replyDueAt), \(caller.userID),
                           \(unescaped: CaseVisibility.fromComplaint)
                      FROM complaints c WHERE c.branch_id = \(branch) AND c.id = \(complaintID)
                    """)
                try await CaseWorkStore.recordEvent("institution_referred", caller: caller, branchID: branch,
                                                    complaintID: complaintID,
                                                    after: ["institutionKind": kind, "reference": reference,
                                                            "replyDueAt": ISO8601DateFormatter().string(from: replyDueAt)],
                                                    connection)
                try await DeadlineWakeUp.complaint(branchID: branch, complaintID: complaintID, connection)
                return try await Self.fetchReferral(branch: branch, complaintID: complaintID, connection)!
            }
        }
    }

    /// Records the reply sent to the institution, once; `.conflict` when it was answered already.
    public func reply(_ caller: Caller, complaintID: UUID, text: String) async throws -> InstitutionalReferral {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let branch = try await CaseVisibility.lockShared(complaintID, connection)
                guard let referral = try await Self.fetchReferral(branch: branch, complaintID: complaintID, connection) else {
                    throw StoreError.notFound
                }
                guard referral.reply == nil else { throw StoreError.conflict(field: "id", message: "was answered already") }
                // Not changed when the policy leaves the caller out, or a reply came first meanwhile.
                guard try await !connection.query("""
                    UPDATE institutional_referrals SET reply = \(text), replied_by = \(caller.userID)
                     WHERE branch_id = \(branch) AND id = \(referral.id) AND reply IS NULL
                    RETURNING id
                    """).isEmpty else { throw StoreError.forbidden }
                try await CaseWorkStore.recordEvent("institution_replied", caller: caller, branchID: branch,
                                                    complaintID: complaintID, after: ["referralId": referral.id.uuidString.lowercased()],
                                                    connection)
                return try await Self.fetchReferral(branch: branch, complaintID: complaintID, connection)!
            }
        }
    }

    /// Logs a dealing with an outside body about the complaint.
    public func logDealing(_ caller: Caller, complaintID: UUID, partyKind: String, party: String, direction: String, summary: String,
                           at: Date) async throws -> ComplaintDealing {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let branch = try await CaseVisibility.lockShared(complaintID, connection)
                let id = try await connection.query("""
                    INSERT INTO complaint_dealings (branch_id, complaint_id, party_kind, party, direction, summary, at, recorded_by,
                                                    \(unescaped: CaseVisibility.columns))
                    SELECT c.branch_id, c.id, \(partyKind), \(party), \(direction), \(summary), \(at), \(caller.userID),
                           \(unescaped: CaseVisibility.fromComplaint)
                      FROM complaints c WHERE c.branch_id = \(branch) AND c.id = \(complaintID)
                    RETURNING id
                    """)[0].decode(UUID.self, at: 0)
                try await CaseWorkStore.recordEvent("dealing_logged", caller: caller, branchID: branch, complaintID: complaintID,
                                                    after: ["dealingId": id.uuidString.lowercased(), "partyKind": partyKind,
                                                            "direction": direction],
                                                    connection)
                return try await dealings(branch: branch, complaintID: complaintID, connection).first { $0.id == id }!
            }
        }
    }

    /// The complaint's dealings, oldest first.
    public func dealings(_ caller: Caller, complaintID: UUID) async throws -> [ComplaintDealing] {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            let branch = try await CaseWorkStore.visibleBranch(of: complaintID, connection)
            return try await dealings(branch: branch, complaintID: complaintID, connection)
        }
    }

    private func dealings(branch: UUID, complaintID: UUID, _ connection: PGConnection) async throws -> [ComplaintDealing] {
        try await connection.query("""
            SELECT id, complaint_id, party_kind, party, direction, summary, at, recorded_by FROM complaint_dealings
             WHERE branch_id = \(branch) AND complaint_id = \(complaintID) ORDER BY at, id
            """).map { row in
            ComplaintDealing(id: try row.decode(at: 0), complaintID: try row.decode(at: 1), partyKind: try row.decode(at: 2),
                             party: try row.decode(at: 3), direction: try row.decode(at: 4), summary: try row.decode(at: 5),
                             at: try row.decode(at: 6), recordedBy: try row.decode(at: 7))
        }
    }
}
