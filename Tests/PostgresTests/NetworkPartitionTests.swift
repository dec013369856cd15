import Foundation
@testable import Postgres
import RedressTestSupport
import Testing

@Suite("A network that stops answering")
struct NetworkPartitionTests {
    /// The bound a request waits through a partition: the response timeout (2 s) for a statement
    /// already sent, or the acquire timeout (3 s, connecting with a 2 s timeout) for a new
    /// connection; with a wide margin for a loaded machine.
    static let bound = Duration.seconds(20)

    @Test func requestsFailWithinABoundAndThePoolRecoversByItself() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let proxy = try BlackHoleProxy(to: database.ownerURL)
        defer { proxy.stop() }
        let user = try #require(URLComponents(string: database.ownerURL)?.user)
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(proxy.url(user: user, database: database.name),
                                                  connectTimeoutSeconds: 2, responseTimeout: .seconds(2)),
            maximumConnections: 2, acquireTimeout: .seconds(3)))
        do {
            try await Self.partitionAndHeal(pool, proxy)
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }

    static func partitionAndHeal(_ pool: PGPool, _ proxy: BlackHoleProxy) async throws {
        #expect(try await pool.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
        proxy.blackHole()

        // A statement sent into the partition: cancelling it returns at once (the cancel request,
        // which cannot get through either, runs on a thread of its own), and it fails in time.
        let started = ContinuousClock.now
        let stuck = Task { try await pool.query("SELECT 2") }
        while pool.statistics.idle > 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(200))
        let cancelling = ContinuousClock.now
        stuck.cancel()
        #expect(ContinuousClock.now - cancelling < .seconds(1), "cancelling never waits on the network")
        await #expect(throws: (any Error).self) { try await stuck.value }
        #expect(ContinuousClock.now - started < bound)

        // New requests fail within the bound too, one after another.
        for _ in 0..<3 {
            let start = ContinuousClock.now
            await #expect(throws: PGError.self) { try await pool.query("SELECT 3") }
            #expect(ContinuousClock.now - start < bound)
        }

        // The network returns: the pool recovers by itself.
        proxy.restore()
        var recovered = false
        for _ in 0..<200 where !recovered {
            recovered = (try? await pool.query("SELECT 4")) != nil
            if !recovered { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(recovered)
        for index in 0..<10 {
            #expect(try await pool.query("SELECT \(index)")[0].decode(Int.self, at: 0) == index)
        }
    }
}

@Suite("Cancellation belongs to one statement")
struct StatementCancellationTests {
    @Test func aCancelForAFinishedStatementReachesNoOther() {
        let control = PGStatementControl(cancel: nil, socket: -1)
        let first = control.reserve()
        #expect(control.start(first))
        control.finish(first, wait: .seconds(1))
        control.requestCancel(first)
        let second = control.reserve()
        #expect(control.start(second), "a late cancel of the first statement does not stop the second")
        control.finish(second, wait: .seconds(1))
    }

    @Test func aCancelBeforeTheStatementStartsStopsOnlyThatStatement() {
        let control = PGStatementControl(cancel: nil, socket: -1)
        let first = control.reserve()
        control.requestCancel(first)
        #expect(!control.start(first))
        let second = control.reserve()
        #expect(control.start(second))
        control.finish(second, wait: .seconds(1))
    }

    @Test func cancellingAtTheMomentOfReleaseNeverHitsTheNextBorrower() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            for round in 0..<200 {
                let task = Task { try await pool.query("SELECT \(round)") }
                for _ in 0..<(round % 4) { await Task.yield() }
                task.cancel()
                _ = try? await task.value
                // The one connection goes to the next borrower, whose statements all run.
                #expect(try await pool.query("SELECT \(round + 1)")[0].decode(Int.self, at: 0) == round + 1)
            }
        }
    }
}
