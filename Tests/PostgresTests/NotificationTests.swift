import Foundation
import Postgres
import RedressTestSupport
import Testing

@Suite("LISTEN/NOTIFY")
struct NotificationTests {
    @Test func notificationsArriveInOrder() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let listener = PGListener(configuration: PGConnectionConfiguration(database.ownerURL), channels: ["complaints", "other channel"])
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let stream = listener.notifications { readyContinuation.yield() }
        var readyIterator = ready.makeAsyncIterator()
        await readyIterator.next()
        try await database.withPool(owner: true) { (pool: PGPool) async throws in
            try await pool.query("SELECT pg_notify('complaints', \("first 第一"))")
            try await pool.query("SELECT pg_notify('ignored', 'x')")
            try await pool.query("SELECT pg_notify('other channel', '')")
            try await pool.query("NOTIFY complaints, 'third'")
        }
        var received: [PGNotification] = []
        for await notification in stream {
            received.append(notification)
            if received.count == 3 { break }
        }
        #expect(received.map(\.channel) == ["complaints", "other channel", "complaints"])
        #expect(received.map(\.payload) == ["first 第一", "", "third"])
    }
}
