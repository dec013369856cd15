import Foundation
import Postgres
import RedressCore

/// Complaints: intake, reading, lifecycle steps and the timeline. Every operation runs in the
/// caller's scope, so row-level security decides which complaints exist for them.
public struct ComplaintStore: Sendable {
    let database: ScopedDatabase

    /// How far back an earlier complaint of the same customer and category makes a new one a repeat.
    var repeatWindow: Duration { database.configuration.repeatWindow }
    /// Seals and reveals complainants' personal data.
    var vault: PersonalDataVault { database.configuration.vault }

    /// `complaint` as `scope` may see it: personal data opened, and masked unless the scope sees
    /// its branch's personal data in full.
    func revealed(_ complaint: Complaint, to scope: AccessScope) -> Complaint {
        var complaint = complaint
        vault.reveal(&complaint, to: scope)
        return complaint
    }

    /// A complaint of `branch` the caller sees, with its complainant's personal data opened in
    /// full whatever the caller may see: for checks that text holds none of it, never to be shown.
    /// Nil when the caller does not see the complaint.
    func unmasked(_ complaintID: UUID, branch: UUID, _ connection: PGConnection) async throws -> Complaint? {
        guard let row = try await connection.query("""
            SELECT \(unescaped: ComplaintColumns.list) FROM complaints WHERE branch_id = \(branch) AND id = \(complaintID)
            """).first else { return nil }
        var complaint = try ComplaintColumns.complaint(row)
        var unmasked = AccessScope.system(branch: branch)
        unmasked.personalDataBranchIDs = [branch]
        vault.reveal(&complaint, to: unmasked)
        return complaint
    }

    /// Creates the store.
    public init(database: ScopedDatabase) {
        self.database = database
    }

    /// One complaint, if the caller may see it. The read of its customer's personal data goes
    /// into the audit trail in the same transaction.
    public func get(_ scope: AccessScope, id: UUID) async throws -> Complaint {
        try await database.withScope(scope) { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: ComplaintColumns.list), \(unescaped: ComplaintColumns.escalatedTiers) FROM complaints WHERE id = \(id)
                """)
            guard let row = rows.first else { throw StoreError.notFound }
            var complaint = try ComplaintColumns.complaint(row)
            complaint.escalatedTiers = try row.decode([Int32].self, at: ComplaintColumns.count).map(Int.init)
            try await AuditStore.recordAccess(connection, branchID: complaint.branchId, action: "read", entity: "complaints",
                                              entityID: complaint.id)
            return revealed(complaint, to: scope)
        }
    }
}
