import AsyncHTTPClient
import Foundation
import LocalPostgres
import NIOConcurrencyHelpers
import NIOCore
import Postgres
import RedressStore
import RedressTestSupport
import Testing

/// Faults injected into real processes: PostgreSQL restarted under sustained intake through a
/// `redress serve` process, and a `redress scheduler` process killed with SIGKILL in the middle of
/// an escalation burst. Nothing answered 2xx may be lost, nothing may be stored or fired twice,
/// and the service must recover by itself.
@Suite("Faults: a database restart under load, a scheduler killed mid-burst", .serialized)
struct FaultTests {
    typealias Instances = MultiInstanceTests

    /// One intake's fate: the key it was sent with, how many attempts it took, its final status and id.
    struct Intake: Sendable {
        var key: String
        var attempts: Int
        var status: Int
        var id: String?
        var answeredAt: ContinuousClock.Instant
    }

    /// Polls `condition` every 50 ms until it holds, for at most two minutes.
    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// Sends one intake with `key`, retrying with the same key on 5xx or a transport error, as a
    /// client of an idempotent API should, until it is answered 2xx; `retryAfter`, when given,
    /// collects the `Retry-After` of each 503.
    static func intake(_ http: HTTPClient, port: Int, token: String, key: String, seen: NIOLockedValueBox<[Int: Int]>,
                       retryAfter: NIOLockedValueBox<Set<String>>? = nil) async -> Intake {
        var attempts = 0
        while true {
            // A cancelled client stops with no answer (status 0) rather than retry for ever.
            guard !Task.isCancelled else { return Intake(key: key, attempts: attempts, status: 0, id: nil, answeredAt: .now) }
            attempts += 1
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/complaints")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Idempotency-Key", value: key)
            request.body = .bytes(ByteBuffer(string: #"{"channel":"web","complainant":{"name":"F"},"description":"fault \#(key)"}"#))
            do {
                let response = try await http.execute(request, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 1 << 20)
                let status = Int(response.status.code)
                seen.withLockedValue { $0[status, default: 0] += 1 }
                if status == 503 { retryAfter?.withLockedValue { _ = $0.insert(response.headers.first(name: "Retry-After") ?? "none") } }
                if (200..<300).contains(status) {
                    let id = (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["id"] as? String
                    return Intake(key: key, attempts: attempts, status: status, id: id, answeredAt: .now)
                }
            } catch {
                seen.withLockedValue { $0[0, default: 0] += 1 }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func aDatabaseRestartDuringSustainedIntakeLosesAndDuplicatesNothing() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("redress-fault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let cluster = LocalCluster(directory: directory.appendingPathComponent("pg"), fastUnsafe: true)
        try await OwnThread.run { try cluster.start() }
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        let database = try await TestDatabase.create(ownerURL: cluster.ownerURL, serviceURL: cluster.serviceURL)
        let org = try await TestOrganisation.create(in: database)
        let server = try Instances.start(["serve", "--host", "127.0.0.1", "--port", "0"],
                                         ["DATABASE_URL": database.serviceURL, "SCHEDULER": "off", "METRICS_PORT": "0", "DATABASE_POOL_SIZE": "4", "LOG_LEVEL": "info",
                                          "RATE_LIMIT_PER_MINUTE": "1000000"].merging(PersonalDataKeys.generate().settings) { $1 })
        defer {
            kill(server.pid, SIGTERM)
            _ = try? Subprocess.wait(server.pid)
            unlink(server.log)
        }
        let port = try await server.port()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let seen = NIOLockedValueBox<[Int: Int]>([:])
        let stop = NIOLockedValueBox(false)
        do {
            let token = try await Instances.signIn(http, port: port, branch: org.a.code)
            // Four clients take complaints in; the database restarts after 30 answers and they go on for 30 more.
            let started = ContinuousClock.now
            let load = Task {
                try await withThrowingTaskGroup(of: [Intake].self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var done: [Intake] = []
                            var index = 0
                            while !stop.withLockedValue({ $0 }) {
                                done.append(await Self.intake(http, port: port, token: token, key: "fault-\(worker)-\(index)", seen: seen))
                                index += 1
                            }
                            return done
                        }
                    }
                    return try await group.reduce(into: [Intake]()) { $0 += $1 }
                }
            }
            // Waits for answers rather than for time, so a loaded machine only makes the test slower.
            let answered = { seen.withLockedValue { ($0[200] ?? 0) + ($0[201] ?? 0) } }
            try await Self.waitUntil { answered() >= 30 }
            try await OwnThread.run { try cluster.restart() }
            let restarted = ContinuousClock.now
            let before = answered()
            try await Self.waitUntil { answered() >= before + 30 }
            stop.withLockedValue { $0 = true }
            let intakes = try await load.value

            let statuses = seen.withLockedValue { $0 }
            let firstAfter = intakes.map(\.answeredAt).filter { $0 > restarted }.min()
            let recovery = firstAfter.map { $0 - restarted }
            let retried = intakes.filter { $0.attempts > 1 }.count
            print("fault: \(intakes.count) intakes answered 2xx in \(ContinuousClock.now - started); statuses \(statuses.sorted { $0.key < $1.key }); "
                  + "\(retried) needed a retry; first 2xx \(recovery.map { "\($0)" } ?? "never") after the restart")
            #expect(intakes.count > 50, "sustained load")
            #expect(Set(statuses.keys).isSubset(of: [0, 200, 201, 503]), "no 500: \(statuses)")
            #expect(recovery.map { $0 < .seconds(20) } == true, "recovers by itself within seconds")

            let stored: [String: String] = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                Dictionary(uniqueKeysWithValues: try await owner.query("""
                    SELECT idempotency_key, id::text FROM complaints WHERE description LIKE 'fault %'
                    """).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) })
            }
            let duplicates: Int = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT count(*) FROM (SELECT description FROM complaints WHERE description LIKE 'fault %'
                                           GROUP BY description HAVING count(*) > 1) d
                    """)[0].decode(at: 0)
            }
            #expect(intakes.allSatisfy { stored[$0.key]?.lowercased() == $0.id?.lowercased() }, "every 2xx is stored, under the id it answered")
            #expect(stored.count == intakes.count && duplicates == 0, "none stored twice, none stored unanswered")
            let ready = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(10))
            #expect(ready.status == .ok)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    @Test func aSchedulerKilledMidBurstLosesAndDuplicatesNothing() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let total = 4000
        let owner = database.pool(owner: true, size: 1)
        _ = try await owner.query("""
            INSERT INTO complaints (branch_id, case_number, channel, description, department_id, status, sla_policy_id,
                                    escalation_due_at, next_escalation_tier, next_escalation_at, received_at)
            SELECT \(org.a.id), 'KILL-' || g, 'phone', 'burst ' || g, \(org.a.departments[0]), 'investigating', p.id,
                   ARRAY[now() - interval '1 hour', now() + interval '1 day', now() + interval '2 days'], 1,
                   now() - interval '1 hour', now() - interval '25 hours'
              FROM generate_series(1, \(Int32(total))) g, sla_policies p
             WHERE p.branch_id = \(org.a.id) AND p.name = 'Standard'
            """)
        func counts() async throws -> (escalations: Int, distinct: Int, pages: Int, events: Int, due: Int) {
            let row = try await owner.query("""
                SELECT (SELECT count(*) FROM escalations), (SELECT count(DISTINCT (complaint_id, tier)) FROM escalations),
                       (SELECT count(*) FROM pages), (SELECT count(*) FROM complaint_events WHERE kind = 'escalated'),
                       (SELECT count(*) FROM complaints WHERE next_escalation_at <= now())
                """)[0]
            return (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2), try row.decode(at: 3), try row.decode(at: 4))
        }
        let environment = ["SCHEDULER_DATABASE_URL": database.schedulerURL, "SCHEDULER_BATCH_SIZE": "20", "SCHEDULER_POLL_SECONDS": "1",
                           "METRICS_PORT": "0", "LOG_LEVEL": "warning"]
        let first = try Instances.start(["scheduler"], environment)
        var atKill = 0
        for _ in 0..<1500 {
            atKill = try await counts().escalations
            if atKill >= 100 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(first.pid, SIGKILL)
        _ = try? Subprocess.wait(first.pid)
        unlink(first.log)
        let afterKill = try await counts()
        #expect(atKill > 0 && afterKill.escalations < total, "killed in the middle: \(afterKill.escalations) of \(total) fired")

        let second = try Instances.start(["scheduler"], environment)
        defer {
            kill(second.pid, SIGTERM)
            _ = try? Subprocess.wait(second.pid)
            unlink(second.log)
        }
        var final = afterKill
        // Up to five minutes: the machine may be busy, and the assertion is about exactly once, not speed.
        for _ in 0..<3000 {
            final = try await counts()
            if final.escalations >= total && final.due == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(1))
        let settled = try await counts()
        print("fault: scheduler killed with SIGKILL after \(afterKill.escalations) of \(total) escalations; a new one finished the rest")
        #expect(settled.escalations == total && settled.distinct == total, "each tier 1 once, none lost: \(settled)")
        #expect(settled.pages == 2 * total && settled.events == total && settled.due == 0, "pages and timeline entries once each")
        await owner.shutdown()
    }
}
