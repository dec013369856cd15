import AsyncHTTPClient
import Foundation
import LocalPostgres
import NIOConcurrencyHelpers
import NIOCore
import Postgres
import RedressStore
import RedressTestSupport
import Testing

/// A primary lost with `SIGKILL` while four clients take complaints in, and its synchronous
/// standby promoted: a `redress serve` and a `redress scheduler` process whose connection strings
/// name both servers (`target_session_attrs=read-write`) find the new primary by themselves.
@Suite("Failover to a synchronous standby", .serialized)
struct FailoverTests {
    /// What the bot's page stream received, over however many connections it took.
    struct Streamed {
        var complaints: Set<String> = []
        var connections = 0
    }

    @Test(.timeLimit(.minutes(5))) func everyAnsweredIntakeSurvivesAndWhatFellDueFiresOnce() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("failover-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        chmod(root.path, 0o755)
        let primary = LocalCluster(directory: root.appendingPathComponent("primary"), port: 6547, fastUnsafe: true)
        var standbyCluster: LocalCluster?
        var instances: [MultiInstanceTests.Instance] = []
        defer {
            for instance in instances {
                kill(instance.pid, SIGTERM)
                _ = try? Subprocess.wait(instance.pid)
                unlink(instance.log)
            }
            try? standbyCluster?.stop()
            try? primary.stop()
            try? FileManager.default.removeItem(at: root)
        }
        try await OwnThread.run { try primary.start() }
        let database = try await TestDatabase.create(ownerURL: primary.ownerURL, serviceURL: primary.serviceURL,
                                                     schedulerURL: primary.schedulerURL)
        let org = try await TestOrganisation.create(in: database)
        let standby = try await OwnThread.run { try primary.standby(into: root.appendingPathComponent("standby"), port: 6548) }
        standbyCluster = standby
        try await OwnThread.run { try primary.requireSynchronousStandby() }

        // Heartbeats far apart: the page stream can only learn of new pages from notifications,
        // and of those lost in the outage from its listener listening again.
        let both = [primary, standby]
        let environment = [
            "DATABASE_URL": LocalCluster.url(user: LocalCluster.serviceRole, database: database.name, across: both),
            "SCHEDULER_DATABASE_URL": LocalCluster.url(user: LocalCluster.schedulerRole, database: database.name, across: both),
            "SCHEDULER_POLL_SECONDS": "1", "LOG_LEVEL": "info", "DATABASE_POOL_SIZE": "8", "METRICS_PORT": "0",
            "RATE_LIMIT_PER_MINUTE": "1000000", "PAGE_STREAM_HEARTBEAT_SECONDS": "300",
        ].merging(PersonalDataKeys.generate().settings) { $1 }
        instances.append(try MultiInstanceTests.start(["serve", "--host", "127.0.0.1", "--port", "0"],
                                                      environment.merging(["SCHEDULER": "off"]) { $1 }))
        instances.append(try MultiInstanceTests.start(["scheduler"], environment))
        let port = try await instances[0].port()
        let http = HTTPClient(eventLoopGroupProvider: .singleton,
                              configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(30))))
        let stopping = NIOLockedValueBox(false)
        do {
            let token = try await MultiInstanceTests.signIn(http, port: port, branch: org.a.code)

            // Complaints whose first tier falls due about twenty seconds from now: after the kill,
            // before the promotion.
            let dueIDs = try await Self.takeInFallingDue(in: 20, http: http, port: port, token: token, database: database, org: org)
            let dueAt: Date = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let seconds: Double = try await owner.query("""
                    SELECT extract(epoch FROM max(escalation_due_at[1]))::float8 FROM complaints WHERE id::text = ANY(\(dueIDs))
                    """)[0].decode(at: 0)
                return Date(timeIntervalSince1970: seconds)
            }

            // The bot's page stream, reconnecting as an EventSource does after the `retry` it was told.
            let streamed = NIOLockedValueBox(Streamed())
            let streaming = Task { await Self.followPages(http: http, port: port, key: org.a.botKey, into: streamed) }
            defer { streaming.cancel() }

            // Four clients take complaints in; each sends a key again after a 503 or a lost
            // connection until it is answered 2xx.
            let seen = NIOLockedValueBox<[Int: Int]>([:])
            let retryAfter = NIOLockedValueBox<Set<String>>([])
            let answered = NIOLockedValueBox<[FaultTests.Intake]>([])
            let clients = Task {
                await withTaskGroup(of: Void.self) { group in
                    for client in 0..<4 {
                        group.addTask {
                            var number = 0
                            while !stopping.withLockedValue({ $0 }) {
                                number += 1
                                let intake = await FaultTests.intake(http, port: port, token: token, key: "failover-c\(client)-\(number)",
                                                                     seen: seen, retryAfter: retryAfter)
                                answered.withLockedValue { $0.append(intake) }
                            }
                        }
                    }
                }
            }
            defer { clients.cancel() }
            try await FaultTests.waitUntil { answered.withLockedValue { $0.count } >= 8 }
            try #require(dueAt.timeIntervalSinceNow > 1, "tier 1 falls due after the kill: \(dueAt.timeIntervalSinceNow) s from now")
            let killedAt = ContinuousClock.now
            try await OwnThread.run { try primary.crash() }
            // Stay down until what was due has fallen due, then promote.
            try await Task.sleep(for: .milliseconds(Int64(max(1, dueAt.timeIntervalSinceNow + 1) * 1000)))
            let promoting = ContinuousClock.now
            let promotingDate = Date()
            try await OwnThread.run { try standby.promote() }
            let promoted = ContinuousClock.now

            // Go on until the clients have had twelve answers from the new primary.
            try await FaultTests.waitUntil { answered.withLockedValue { $0.filter { $0.answeredAt > promoting }.count } >= 12 }
            stopping.withLockedValue { $0 = true }
            await clients.value
            let answers = answered.withLockedValue { $0 }
            let before = answers.filter { $0.answeredAt < killedAt }.count
            let firstAfter = try #require(answers.map(\.answeredAt).filter { $0 > promoting }.min(), "answers after the promotion")
            let statuses = seen.withLockedValue { $0 }
            #expect(Set(statuses.keys).isSubset(of: [0, 200, 201, 503]), "only 2xx, 503 or a lost connection: \(statuses)")
            #expect(statuses[503, default: 0] > 0 && retryAfter.withLockedValue { $0 } == ["1"],
                    "503s while no primary was up, each with Retry-After: 1: \(statuses), \(retryAfter.withLockedValue { $0 })")
            #expect(before >= 8, "intakes were answered before the kill: \(before)")

            // On the promoted server: every answered intake once, and nothing a client did not send.
            let promotedPool = PGPool(configuration: PGPoolConfiguration(
                connection: PGConnectionConfiguration(standby.url(user: LocalCluster.ownerRole, database: database.name)), maximumConnections: 2))
            let checked: (fired: Escalations, streamed: Streamed)
            do {
                let stored: [(key: String, id: String)] = try await promotedPool.query("""
                    SELECT substr(description, 7), id::text FROM complaints WHERE description LIKE 'fault failover-%'
                    """).map { (try $0.decode(at: 0), try $0.decode(at: 1)) }
                #expect(Set(stored.map(\.key)).count == stored.count, "no intake stored twice")
                let storedByKey = Dictionary(stored.map { ($0.key, $0.id.lowercased()) }, uniquingKeysWith: { first, _ in first })
                let missing = answers.filter { storedByKey[$0.key] != $0.id?.lowercased() }.map(\.key)
                #expect(missing.isEmpty, "every intake answered 2xx is in the promoted database as answered: \(missing.prefix(5))")
                #expect(stored.count == answers.count, "only answered keys are stored: \(stored.count) vs \(answers.count)")

                // What fell due during the outage fired once, on the promoted server; its pages
                // reached the bot's stream, still open.
                var fired = Escalations()
                for _ in 0..<300 where fired.tierOnes < dueIDs.count {
                    fired = try await Escalations.read(of: dueIDs, in: promotedPool)
                    try await Task.sleep(for: .milliseconds(200))
                }
                for _ in 0..<150 where !streamed.withLockedValue({ Set(dueIDs).isSubset(of: $0.complaints) }) {
                    try await Task.sleep(for: .milliseconds(200))
                }
                // The scheduler's next passes have had their chance to fire anything again.
                try await Task.sleep(for: .seconds(2))
                checked = (try await Escalations.read(of: dueIDs, in: promotedPool), streamed.withLockedValue { $0 })
                await promotedPool.shutdown()
            } catch {
                await promotedPool.shutdown()
                throw error
            }
            let (fired, stream) = checked
            #expect(fired.tierOnes == dueIDs.count && fired.tierOneRows == dueIDs.count,
                    "tier 1 of each complaint due in the outage fired once: \(fired)")
            #expect(fired.earliest > promotingDate.timeIntervalSince1970 - 0.5, "they fired on the promoted server: \(fired)")
            #expect(Set(dueIDs).isSubset(of: stream.complaints), "the bot's stream delivered the pages fired after the promotion")
            #expect(stream.connections == 1, "the page stream stayed open through the failover: \(stream.connections) connections")

            print("""
                failover: the primary killed with \(before) intakes answered; the standby promoted \
                \(Self.milliseconds(promoting - killedAt)) ms after the kill (pg_ctl promote took \
                \(Self.milliseconds(promoted - promoting)) ms); the first 2xx \(Self.milliseconds(firstAfter - promoting)) ms after \
                the promotion began; \(answers.count) intakes answered in all, answers seen \(statuses.sorted { $0.key < $1.key }) \
                (0: no answer); \(fired.tierOnes) tier-1 escalations due in the outage fired once on the promoted server, \
                with \(fired.pages) pages; the bot's stream stayed open (\(stream.connections) connection)
                """)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Takes in three billing complaints received so long ago that their first tier falls due
    /// `seconds` from now; returns their ids.
    static func takeInFallingDue(in seconds: Double, http: HTTPClient, port: Int, token: String, database: TestDatabase,
                                 org: TestOrganisation) async throws -> [String] {
        let category: String = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT id::text FROM categories WHERE branch_id = \(org.a.id) AND code = 'billing'")[0].decode(at: 0)
        }
        let received = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-24 * 3600 + seconds))
        var ids: [String] = []
        for index in 0..<3 {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/complaints")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: """
                {"channel":"phone","complainant":{"name":"C","phone":"+86 10 \(index)"},"description":"falls due in the outage",
                 "categoryId":"\(category)","receivedAt":"\(received)"}
                """))
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            try #require(response.status == .created, "intake answered \(response.status)")
            ids.append(try #require((object?["id"] as? String)?.lowercased()))
        }
        return ids
    }

    /// Follows `GET /v1/pages/stream` as `key` until cancelled, noting each page's complaint; a
    /// stream that ends or fails is opened again after the 3 s it asks for.
    static func followPages(http: HTTPClient, port: Int, key: String, into streamed: NIOLockedValueBox<Streamed>) async {
        while !Task.isCancelled {
            do {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/pages/stream")
                request.headers.add(name: "Authorization", value: "Bearer \(key)")
                let response = try await http.execute(request, timeout: .seconds(300))
                if response.status == .ok {
                    streamed.withLockedValue { $0.connections += 1 }
                    var text = ""
                    for try await chunk in response.body {
                        text += String(buffer: chunk)
                        while let end = text.range(of: "\n\n") {
                            let event = text[..<end.lowerBound]
                            text = String(text[end.upperBound...])
                            guard event.contains("event: page"),
                                  let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") })?.dropFirst(6),
                                  let page = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any],
                                  let complaint = page["complaintId"] as? String else { continue }
                            streamed.withLockedValue { _ = $0.complaints.insert(complaint.lowercased()) }
                        }
                    }
                }
            } catch {}
            try? await Task.sleep(for: .seconds(3))
        }
    }
}

/// The escalations of some complaints, as the promoted server has them.
struct Escalations: Sendable, CustomStringConvertible {
    /// Complaints whose first tier fired, and the first tier's rows (more would be a repeat).
    var tierOnes = 0, tierOneRows = 0
    /// Pages of any of their escalations.
    var pages = 0
    /// When the earliest first tier was recorded (epoch seconds).
    var earliest = 0.0

    var description: String { "\(tierOnes) complaints' tier 1 in \(tierOneRows) rows, \(pages) pages, earliest at \(earliest)" }

    /// Reads them for `complaints` (ids as text).
    static func read(of complaints: [String], in pool: PGPool) async throws -> Escalations {
        let row = try await pool.query("""
            SELECT count(DISTINCT complaint_id), count(*), coalesce(extract(epoch FROM min(recorded_at)), 0)::float8,
                   (SELECT count(*) FROM pages WHERE complaint_id::text = ANY(\(complaints)))
              FROM escalations
             WHERE complaint_id::text = ANY(\(complaints)) AND tier = 1 AND milestone IS NULL AND reason IS NULL AND follow_up_id IS NULL
            """)[0]
        return Escalations(tierOnes: try row.decode(at: 0), tierOneRows: try row.decode(at: 1), pages: try row.decode(at: 3),
                           earliest: try row.decode(at: 2))
    }
}
