import Foundation
import Postgres

extension ComplaintStore {
    /// Locks a complaint the caller may change, found by its id alone. Its branch is read first,
    /// without a lock, so that the lock names one branch (a router query on Citus, which runs
    /// `FOR UPDATE` on no other kind). `.notFound` when the caller cannot see the complaint;
    /// `.forbidden` when they see it but may not change it (the update policy hides it from the lock).
    /// A change that may move the complaint to other people (`changingVisibility`) first takes the
    /// case's lock exclusively, before the row's, as ``CaseVisibility`` describes.
    func lockForChange(_ id: UUID, changingVisibility: Bool = false, _ connection: PGConnection) async throws -> Complaint {
        guard let branch = try await connection.query("SELECT branch_id FROM complaints WHERE id = \(id)").first?
            .decode(UUID.self, at: 0) else { throw StoreError.notFound }
        if changingVisibility {
            try await CaseVisibility.lock(id, exclusive: true, connection)
        }
        let locked = try await connection.query("""
            SELECT \(unescaped: ComplaintColumns.list) FROM complaints WHERE branch_id = \(branch) AND id = \(id) FOR UPDATE
            """)
        guard let row = locked.first else { throw StoreError.forbidden }
        return try ComplaintColumns.complaint(row)
    }
}
