import Foundation
import Postgres

/// Wakes the escalation scheduler (`LISTEN redress_deadlines`) from the writer's own transaction,
/// delivered when it commits. Each notice is a statement of its own that reads no table: on Citus
/// such a statement runs on the coordinator, where the scheduler listens, while a notice sent by
/// a trigger or inside a statement routed to one shard would stay on that worker.
enum DeadlineWakeUp {
    /// One complaint's deadlines or follow-ups moved.
    static func complaint(branchID: UUID, complaintID: UUID, _ connection: PGConnection) async throws {
        try await connection.execute(complaint(branchID: branchID, complaintID: complaintID))
    }

    /// The statement sending ``complaint(branchID:complaintID:_:)``'s notice, to send with others.
    static func complaint(branchID: UUID, complaintID: UUID) -> PGQuery {
        "SELECT pg_notify('redress_deadlines', \(branchID)::text || ':' || \(complaintID)::text)"
    }

    /// A branch's open deadlines were marked for recomputation (a changed SLA policy or calendar).
    static func branch(_ branchID: UUID, _ connection: PGConnection) async throws {
        try await connection.execute("SELECT pg_notify('redress_deadlines', 'sla:' || \(branchID)::text)")
    }
}
