import Foundation
import Postgres

/// Drives a workload through a `PGPool` with one task per client for a fixed time.
struct ClientLoad {
    let url: String
    let clients: Int
    let seconds: Int
    /// True: each client borrows a connection once and runs its statements on it, as a pgbench
    /// client does (and as a request's transaction does). False: every statement borrows anew.
    let holdConnection: Bool

    /// Returns operations per second.
    func run(_ workload: Workload) async throws -> Double {
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(url, applicationName: "redress-bench"), maximumConnections: clients))
        // Open every connection and prepare the statement before the clock starts, as pgbench does.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients { group.addTask { _ = try await once(workload, on: pool) } }
            try await group.waitForAll()
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    guard holdConnection else { return try await loop(until: deadline) { try await once(workload, on: pool) } }
                    return try await pool.withConnection { connection in
                        try await loop(until: deadline) { try await once(workload, on: connection) }
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        await pool.shutdown()
        return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func loop(until deadline: ContinuousClock.Instant, _ operation: () async throws -> Int) async throws -> Int {
        var count = 0
        while ContinuousClock.now < deadline { count += try await operation() }
        return count
    }

    private func once(_ workload: Workload, on pool: PGPool) async throws -> Int {
        try await pool.withConnection { connection in try await once(workload, on: connection) }
    }

    private func once(_ workload: Workload, on pool: PGConnection) async throws -> Int {
        switch workload {
        case .selectByKey:
            let id = Int.random(in: 1...ClientBench.rowCount)
            let rows = try await pool.query("SELECT id, name, created_at FROM bench_items WHERE id = \(id)")
            let row = rows[0]
            _ = try row.decode(Int.self, at: 0)
            _ = try row.decode(String.self, at: 1)
            _ = try row.decode(Date.self, at: 2)
        case .insertRow:
            try await pool.query("INSERT INTO bench_items (name) VALUES (\("bench"))")
        }
        return 1
    }
}
