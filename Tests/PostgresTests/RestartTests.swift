import Foundation
import LocalPostgres
import Postgres
import Testing

@Suite("Surviving a server restart", .serialized)
struct RestartTests {
    /// A cluster of this suite's own, so that restarting it disturbs no other test.
    func makeCluster() throws -> LocalCluster {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("redress-restart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return LocalCluster(directory: directory.appendingPathComponent("pg"), fastUnsafe: true)
    }

    @Test func thePoolWorksAgainAfterPgCtlRestart() async throws {
        let cluster = try makeCluster()
        try await OwnThread.run { try cluster.start() }
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: cluster.directory.deletingLastPathComponent())
        }
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(cluster.ownerURL), maximumConnections: 4, acquireTimeout: .seconds(20)))
        // Fill the pool with idle connections that the restart will kill.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await pool.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        #expect(pool.statistics.idle == 4)

        // Queries keep running while the server restarts; some may fail, none may hang.
        let load = Task {
            var failures = 0
            for _ in 0..<200 {
                do { try await pool.query("SELECT 1") } catch { failures += 1 }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return failures
        }
        try await Task.sleep(for: .milliseconds(200))
        try await OwnThread.run { try cluster.restart() }
        _ = await load.value

        for n in 1...20 {
            #expect(try await pool.query("SELECT \(n)::int8")[0].decode(Int.self, at: 0) == n)
        }
        await pool.shutdown()
    }

    @Test(.timeLimit(.minutes(1))) func aListenerListensAgainAfterARestartAndSaysSo() async throws {
        let cluster = try makeCluster()
        try await OwnThread.run { try cluster.start() }
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: cluster.directory.deletingLastPathComponent())
        }
        let listener = PGListener(configuration: PGConnectionConfiguration(cluster.ownerURL), channels: ["wake"])
        let (listening, listeningNow) = AsyncStream<Void>.makeStream()
        let (resumed, resumedNow) = AsyncStream<Void>.makeStream()
        let notifications = listener.notifications(onListening: { listeningNow.yield() }, onResumed: { resumedNow.yield() })
        var events = notifications.makeAsyncIterator()
        var listened = listening.makeAsyncIterator()
        var resumptions = resumed.makeAsyncIterator()
        _ = await listened.next()

        try await OwnThread.run { try cluster.restart() }
        // Whatever was notified while it was away is lost; it says when it listens again.
        _ = await resumptions.next()
        let sender = try await PGConnection.connect(PGConnectionConfiguration(cluster.ownerURL))
        defer { sender.close() }
        try await sender.executeScript("NOTIFY wake, 'after the restart'")
        #expect(await events.next()?.payload == "after the restart")
    }
}
