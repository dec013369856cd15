import AsyncHTTPClient
import Foundation
import LocalPostgres
import NIOCore
import Postgres
import RedressStore
import RedressTestSupport
import Testing

/// Real `redress` processes, as a deployment runs them: API instances with `SCHEDULER=off` and
/// separate scheduler processes, all on one database and reached only through their ports.
@Suite("Several API and scheduler instances on one database")
struct MultiInstanceTests {
    static let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/redress").path

    /// A running process and its log.
    struct Instance {
        var pid: pid_t
        var log: String

        /// The port a `serve` instance logged that it listens on.
        func port(within seconds: Double = 30) async throws -> Int {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                for line in text.split(separator: "\n") where line.contains("\"listening\"") {
                    if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                       let port = (object["port"] as? String).flatMap(Int.init) {
                        return port
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw InstanceFailure("no port in \(log): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
    }

    struct InstanceFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func start(_ arguments: [String], _ environment: [String: String]) throws -> Instance {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("instance-\(UUID().uuidString).log").path
        return Instance(pid: try Subprocess.spawn([executable] + arguments, environment: environment, outputPath: log), log: log)
    }

    @Test func twoAPIsAndTwoSchedulersLandEveryRequestAndEscalateOnce() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let environment = ["DATABASE_URL": database.serviceURL, "SCHEDULER_DATABASE_URL": database.schedulerURL,
                           "SCHEDULER_POLL_SECONDS": "1", "LOG_LEVEL": "info",
                           "DATABASE_POOL_SIZE": "4"].merging(PersonalDataKeys.generate().settings) { $1 }
        var instances = [
            try Self.start(["serve", "--host", "127.0.0.1", "--port", "0"], environment.merging(["SCHEDULER": "off", "METRICS_PORT": "0"]) { $1 }),
            try Self.start(["serve", "--host", "127.0.0.1", "--port", "0"], environment.merging(["SCHEDULER": "off", "METRICS_PORT": "0"]) { $1 }),
        ]
        let metricsPort = try PgBouncer.freePort()
        instances += [try Self.start(["scheduler"], environment.merging(["METRICS_PORT": String(metricsPort), "HOST": "127.0.0.1"]) { $1 }),
                      try Self.start(["scheduler"], environment.merging(["METRICS_PORT": "0"]) { $1 })]
        defer {
            for instance in instances {
                kill(instance.pid, SIGTERM)
                _ = try? Subprocess.wait(instance.pid)
                unlink(instance.log)
            }
        }
        let ports = [try await instances[0].port(), try await instances[1].port()]
        // 200 requests share the client's few connections per host; on a loaded machine a request
        // can wait longer than the default 10 s for one, which says nothing about the service.
        let http = HTTPClient(eventLoopGroupProvider: .singleton,
                              configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(120))))
        do {
            let token = try await Self.signIn(http, port: ports[0], branch: org.a.code)
            let category: String = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT id::text FROM categories WHERE branch_id = \(org.a.id) AND code = 'billing'")[0].decode(at: 0)
            }
            let received = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-25 * 3600))
            let total = 200
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<total {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(ports[index % 2])/v1/complaints")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "Idempotency-Key", value: "multi-\(index)")
                        request.body = .bytes(ByteBuffer(string: """
                            {"channel":"phone","complainant":{"name":"C","phone":"+86 10 \(index)"},"description":"late \(index)",
                             "categoryId":"\(category)","receivedAt":"\(received)"}
                            """))
                        let response = try await http.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        return Int(response.status.code)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 }, "every intake answered 201: \(Set(statuses))")

            // Tier 1 and the acknowledgement's breach were due on arrival, and the head is told of
            // each routed complaint; both schedulers race for them.
            var counts = (complaints: 0, escalations: 0, distinct: 0, pages: 0)
            for _ in 0..<100 {
                counts = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    let row = try await owner.query("""
                        SELECT (SELECT count(*) FROM complaints), (SELECT count(*) FROM escalations),
                               (SELECT count(DISTINCT (complaint_id, tier, alarm_key)) FROM escalations), (SELECT count(*) FROM pages)
                        """)[0]
                    return (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2), try row.decode(at: 3))
                }
                if counts.escalations >= 3 * total { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            try await Task.sleep(for: .seconds(1))
            let settled: [String] = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT k || ' ' || count(*) FROM (SELECT coalesce(milestone, reason, 'tier') || ' ' || tier AS k FROM escalations) e GROUP BY k ORDER BY k
                    """).map { try $0.decode(String.self, at: 0) }
            }
            #expect(counts.complaints == total, "every request landed once")
            #expect(counts.escalations == 3 * total && counts.distinct == 3 * total, "tier 1, the breach and the notice of each, once")
            #expect(settled == ["acknowledge 1 \(total)", "department_routed 0 \(total)", "tier 1 \(total)"],
                    "tier 1, the acknowledgement's breach and the routing notice of each, once")
            #expect(counts.pages == 2 * total, "the head and the bot, once each: neither the breach nor the notice pages anyone the tier paged")

            // A scheduler process serves its own metrics.
            let scraped = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/metrics"), timeout: .seconds(10))
            let text = String(buffer: try await scraped.body.collect(upTo: 1 << 22))
            #expect(scraped.status == .ok && text.contains("redress_scheduler_lag_seconds") && text.contains("redress_pool_connections{"))
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    static func signIn(_ http: HTTPClient, port: Int, branch: String) async throws -> String {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/auth/sign-in")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"branch":"\#(branch)","login":"agent","password":"\#(TestOrganisation.password)"}"#))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
              let token = object["token"] as? String else { throw InstanceFailure("sign-in answered \(response.status)") }
        return token
    }
}
