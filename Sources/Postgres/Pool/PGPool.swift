import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// A pool of PostgreSQL connections with a maximum size and an acquire timeout.
///
/// Connections are lent inside closures (`withConnection`, `withTransaction`) and must not escape
/// them. An idle connection is checked without a round trip each time it is lent (a server restart
/// or termination shows up as a readable socket) and with `SELECT 1` when it idled long; broken
/// connections are discarded and replaced, so the pool works again by itself after the server
/// restarts. Connections idle past the idle timeout (beyond the minimum) or open past their
/// lifetime are closed. Run the pool as a `Service` for its health checks and a clean shutdown.
public final class PGPool: Service, Sendable {
    /// The configuration the pool was created with.
    public let configuration: PGPoolConfiguration
    let logger: Logger
    let state: NIOLockedValueBox<PGPoolState>

    /// Creates a pool; connections open on demand, each with a thread of its own for libpq.
    public init(configuration: PGPoolConfiguration, logger: Logger = Logger(label: "redress.postgres")) {
        self.configuration = configuration
        self.logger = logger
        self.state = NIOLockedValueBox(PGPoolState(maximum: configuration.maximumConnections))
    }

    /// Lends a connection to `body` and takes it back afterwards.
    ///
    /// `body` runs with the connection's thread as its preferred executor, so the statements it
    /// sends call libpq directly there instead of hopping threads for each one.
    public func withConnection<R>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PGConnection) async throws -> R
    ) async throws -> R {
        let connection = try await acquire()
        do {
            let result = try await withTaskExecutorPreference(connection.thread) { try await body(connection) }
            release(connection)
            return result
        } catch {
            release(connection, after: error)
            throw error
        }
    }

    /// Lends a connection inside a transaction: COMMIT on return, ROLLBACK on throw.
    ///
    /// A transaction that failed because a prepared statement's result type changed under it (a
    /// schema change: "cached plan must not change result type") is run once more from BEGIN on
    /// the same connection, whose statements are then all prepared afresh. Its first attempt was
    /// rolled back whole, so nothing of it stays on the server; `body` must not act outside the
    /// database. Any other error, or the same one again, is thrown.
    public func withTransaction<R>(
        _ options: PGTransactionOptions = PGTransactionOptions(),
        _ body: (PGConnection) async throws -> R
    ) async throws -> R {
        try await withConnection { connection in
            do {
                return try await connection.withTransaction(options, body)
            } catch let error as PGError where error.isCachedPlanChange && !connection.isInTransaction {
                logger.info("a statement's result type changed under it; running the transaction again")
                return try await connection.withTransaction(options, body)
            }
        }
    }

    /// Runs one statement on a pooled connection and returns its rows.
    @discardableResult
    public func query(_ query: PGQuery) async throws -> PGRows {
        try await withConnection { connection in try await connection.query(query) }
    }

    /// How many connections are open and how many of them are idle, for metrics.
    public var statistics: (open: Int, idle: Int, waiting: Int) {
        state.withLockedValue { ($0.openCount, $0.idle.count, $0.waiters.count) }
    }

    /// Runs health checks until graceful shutdown, then closes every connection.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.configuration.healthCheckInterval)
                await self.checkIdleConnections()
            }
        }
        await shutdown()
    }

    /// Closes idle connections, fails waiters, and refuses further use. Lent connections are closed
    /// when they come back.
    public func shutdown() async {
        let (idle, waiters) = state.withLockedValue { state in
            state.isShutDown = true
            let idle = state.idle.map(\.connection)
            state.openCount -= idle.count
            state.idle.removeAll()
            let waiters = state.waiters
            state.waiters.removeAll()
            return (idle, waiters)
        }
        idle.forEach { $0.close() }
        waiters.forEach { $0.continuation.resume(throwing: PGError(.poolClosed, message: "the pool has shut down")) }
    }
}
