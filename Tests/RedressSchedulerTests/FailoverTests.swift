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
    /// What the clients saw: each answered key's complaint, and every other answer.
    struct Ledger {
        var answered: [String: (id: String, at: Date)] = [:]
        var retries = 0
        var unexpected: [String] = []
        var unfinished: [String] = []
    }

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
        try primary.start()
        let database = try await TestDatabase.create(ownerURL: primary.ownerURL, serviceURL: primary.serviceURL,
                                                     schedulerURL: primary.schedulerURL)
        let org = try await TestOrganisation.create(in: database)
        let standby = try primary.standby(into: root.appendingPathComponent("standby"), port: 6548)
        standbyCluster = standby
        try primary.requireSynchronousStandby()

        let both = [primary, standby]
        let environment = [
            "DATABASE_URL": LocalCluster.url(user: LocalCluster.serviceRole, database: database.name, across: both),
            "SCHEDULER_DATABASE_URL": LocalCluster.url(user: LocalCluster.schedulerRole, database: database.name, across: both),
            "SCHEDULER_POLL_SECONDS": "1", "LOG_LEVEL": "info", "DATABASE_POOL_SIZE": "8", "METRICS_PORT": "0",
            "RATE_LIMIT_PER_MINUTE": "1000000",
        ].merging(PersonalDataKeys.generate().settings) { $1 }
        instances.append(try MultiInstanceTests.start(["serve", "--host", "127.0.0.1", "--port", "0"],
                                                      environment.merging(["SCHEDULER": "off"]) { $1 }))
        instances.append(try MultiInstanceTests.start(["scheduler"], environment))
        let port = try await instances[0].port()
        let http = HTTPClient(eventLoopGroupProvider: .singleton,
                              configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(30))))
        do {
            let token = try await MultiInstanceTests.signIn(http, port: port, branch: org.a.code)
            let category: String = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT id::text FROM categories WHERE branch_id = \(org.a.id) AND code = 'billing'")[0].decode(at: 0)
            }
            let intake = Intake(http: http, port: port, token: token, category: category)

            // Complaints whose first tier falls due about eight seconds from now: after the kill,
            // before the promotion.
            let received = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-24 * 3600 + 8))
            var dueIDs: [String] = []
            for index in 0..<3 {
                let (status, id) = try await intake.post(key: "due-\(index)", description: "falls due in the outage", receivedAt: received)
                #expect(status == 201)
                dueIDs.append(try #require(id))
            }
            let dueAt: Date = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let seconds: Double = try await owner.query("""
                    SELECT extract(epoch FROM max(escalation_due_at[1]))::float8 FROM complaints WHERE id::text = ANY(\(dueIDs))
                    """)[0].decode(at: 0)
                return Date(timeIntervalSince1970: seconds)
            }
            #expect(dueAt.timeIntervalSinceNow > 3, "tier 1 falls due after the kill: \(dueAt.timeIntervalSinceNow) s from now")

            // The bot's page stream, reconnecting as an EventSource does after the `retry` it was told.
            let streamed = NIOLockedValueBox(Streamed())
            let streaming = Task { await Self.followPages(http: http, port: port, key: org.a.botKey, into: streamed) }
            defer { streaming.cancel() }

            // Four clients take complaints in; each retries a key until it is answered 2xx.
            let ledger = NIOLockedValueBox(Ledger())
            let stopping = NIOLockedValueBox(false)
            let clients = Task {
                await withTaskGroup(of: Void.self) { group in
                    for client in 0..<4 {
                        group.addTask { await intake.keepTakingIn(client: client, ledger: ledger, until: stopping) }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(1500))
            let killedAt = Date()
            try primary.crash()
            // Stay down until what was due has fallen due, then promote.
            let wait = max(2, dueAt.timeIntervalSinceNow + 1)
            try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
            let promoting = Date()
            try standby.promote()
            let promotedAt = Date()

            // Go on until the clients have had twelve answers from the new primary.
            let settled = Date().addingTimeInterval(90)
            while Date() < settled {
                let after = ledger.withLockedValue { $0.answered.values.filter { $0.at > promoting }.count }
                if after >= 12 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            stopping.withLockedValue { $0 = true }
            await clients.value
            let answers = ledger.withLockedValue { $0 }
            let firstAfter = answers.answered.values.map(\.at).filter { $0 > promoting }.min()
            let before = answers.answered.values.filter { $0.at < killedAt }.count
            #expect(answers.unexpected.isEmpty, "only 2xx and 503 answers: \(answers.unexpected.prefix(5))")
            #expect(answers.unfinished.isEmpty, "every key was answered in the end: \(answers.unfinished)")
            #expect(before >= 4, "intakes were answered before the kill: \(before)")
            let firstSeconds = try #require(firstAfter).timeIntervalSince(promoting)

            // On the promoted server: every answered intake once, and nothing a client did not send.
            let promotedOwner = standby.url(user: LocalCluster.ownerRole, database: database.name)
            let promotedPool = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(promotedOwner), maximumConnections: 2))
            let stored: [(key: String, id: String)] = try await promotedPool.query("""
                SELECT substr(description, 10), id::text FROM complaints WHERE description LIKE 'failover %' ORDER BY 1
                """).map { (try $0.decode(at: 0), try $0.decode(at: 1)) }
            #expect(Set(stored.map(\.key)).count == stored.count, "no intake stored twice")
            let storedByKey = Dictionary(stored.map { ($0.key, $0.id) }, uniquingKeysWith: { first, _ in first })
            let missing = answers.answered.filter { storedByKey[$0.key] != $0.value.id }.map(\.key)
            #expect(missing.isEmpty, "every intake answered 2xx is in the promoted database as answered: \(missing.prefix(5))")
            #expect(stored.count == answers.answered.count, "only answered keys are stored: \(stored.count) vs \(answers.answered.count)")

            // What fell due during the outage fired once, after the promotion; its pages reached the bot's stream.
            var fired = (tierOnes: 0, escalations: 0, distinct: 0, pages: 0, distinctPages: 0, earliest: 0.0)
            let firing = Date().addingTimeInterval(60)
            while Date() < firing {
                fired = try await Self.escalations(of: dueIDs, in: promotedPool)
                if fired.tierOnes == dueIDs.count { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let streamDeadline = Date().addingTimeInterval(30)
            while Date() < streamDeadline, !streamed.withLockedValue({ Set(dueIDs).isSubset(of: $0.complaints) }) {
                try await Task.sleep(for: .milliseconds(200))
            }
            // Both schedulers' chances to fire anything twice have passed by now.
            try await Task.sleep(for: .seconds(2))
            fired = try await Self.escalations(of: dueIDs, in: promotedPool)
            await promotedPool.shutdown()
            #expect(fired.tierOnes == dueIDs.count, "tier 1 of each complaint due in the outage fired: \(fired.tierOnes)")
            #expect(fired.escalations == fired.distinct && fired.pages == fired.distinctPages, "nothing fired or paged twice: \(fired)")
            #expect(fired.earliest > promoting.timeIntervalSince1970 - 1, "they fired on the promoted server")
            let stream = streamed.withLockedValue { $0 }
            #expect(Set(dueIDs).isSubset(of: stream.complaints), "the bot's stream delivered the pages fired after the promotion")

            print("""
                failover: the primary killed with \(before) intakes answered; the standby promoted \
                \(String(format: "%.1f", promoting.timeIntervalSince(killedAt))) s after the kill (pg_ctl promote took \
                \(Int(promotedAt.timeIntervalSince(promoting) * 1000)) ms); the first 2xx \(Int(firstSeconds * 1000)) ms after \
                the promotion began; \(answers.answered.count) intakes answered in all, \(answers.retries) answers retried; \
                \(fired.tierOnes) tier-1 escalations due in the outage fired once, with \(fired.pages) pages; the bot's stream \
                connected \(stream.connections) time(s)
                """)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// The escalations of `complaints` on the promoted server: tier 1s, all, distinct ones, pages,
    /// distinct pages, and when the earliest was recorded (epoch seconds).
    static func escalations(of complaints: [String], in pool: PGPool) async throws
        -> (tierOnes: Int, escalations: Int, distinct: Int, pages: Int, distinctPages: Int, earliest: Double) {
        let row = try await pool.query("""
            SELECT (SELECT count(*) FROM escalations WHERE complaint_id::text = ANY(\(complaints)) AND tier = 1 AND milestone IS NULL
                      AND reason IS NULL),
                   (SELECT count(*) FROM escalations WHERE complaint_id::text = ANY(\(complaints))),
                   (SELECT count(DISTINCT (complaint_id, tier, alarm_key)) FROM escalations WHERE complaint_id::text = ANY(\(complaints))),
                   (SELECT count(*) FROM pages WHERE complaint_id::text = ANY(\(complaints))),
                   (SELECT count(DISTINCT (escalation_id, recipient_user_id)) FROM pages WHERE complaint_id::text = ANY(\(complaints))),
                   (SELECT coalesce(extract(epoch FROM min(recorded_at)), 0)::float8 FROM escalations
                     WHERE complaint_id::text = ANY(\(complaints)) AND tier = 1 AND milestone IS NULL AND reason IS NULL)
            """)[0]
        return (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2), try row.decode(at: 3), try row.decode(at: 4),
                try row.decode(at: 5))
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

/// Complaint intake over HTTP, as a client that retries with its `Idempotency-Key` would send it.
struct Intake: Sendable {
    let http: HTTPClient
    let port: Int
    let token: String
    let category: String

    /// Posts one intake under `key`: the status and the complaint's id (nil when the request failed
    /// before an answer).
    func post(key: String, description: String, receivedAt: String? = nil) async throws -> (status: Int, id: String?) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/complaints")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: key)
        request.body = .bytes(ByteBuffer(string: """
            {"channel":"phone","complainant":{"name":"C","phone":"+86 10 5555"},"description":"\(description)",
             "categoryId":"\(category)"\(receivedAt.map { #","receivedAt":"\#($0)""# } ?? "")}
            """))
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        return (Int(response.status.code), (object?["id"] as? String)?.lowercased())
    }

    /// Takes complaints in one after another until `stopping`, each under a key of its own that
    /// is sent again after a 503 or a lost connection until it is answered 2xx.
    func keepTakingIn(client: Int, ledger: NIOLockedValueBox<FailoverTests.Ledger>, until stopping: NIOLockedValueBox<Bool>) async {
        var number = 0
        while !stopping.withLockedValue({ $0 }) {
            number += 1
            let key = "c\(client)-\(number)"
            let giveUp = Date().addingTimeInterval(120)
            while true {
                let answer = try? await post(key: key, description: "failover \(key)")
                if let answer, (200..<300).contains(answer.status), let id = answer.id {
                    ledger.withLockedValue { $0.answered[key] = (id, Date()) }
                    break
                }
                ledger.withLockedValue { ledger in
                    ledger.retries += 1
                    if let answer, answer.status != 503 { ledger.unexpected.append("\(key): \(answer.status)") }
                }
                if Date() > giveUp {
                    ledger.withLockedValue { $0.unfinished.append(key) }
                    break
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
