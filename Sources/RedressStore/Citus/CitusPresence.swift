import Foundation
import Postgres

/// Whether the service's database has the Citus extension, asked once and remembered.
///
/// Citus passes a `SET LOCAL` on to the workers by replaying the text of the message that held
/// it, so on Citus a scoped transaction sends its scope in a message of its own, never together
/// with its `BEGIN` (which the workers, already in a transaction, would be sent again). The
/// extension is added only while the service is stopped (`redress citus distribute` refuses
/// other sessions), so the answer holds for the process's life.
final class CitusPresence: @unchecked Sendable {
    private let lock = NSLock()
    private var known: Bool?

    /// Asks the database the first time (`known` nil), or takes the answer given.
    init(known: Bool? = nil) { self.known = known }

    /// Whether `pool`'s database has Citus; asks the first time only.
    func isPresent(in pool: PGPool) async throws -> Bool {
        if let known = lock.withLock({ known }) { return known }
        let present: Bool = try await pool.query("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")[0].decode(at: 0)
        lock.withLock { known = present }
        return present
    }
}
