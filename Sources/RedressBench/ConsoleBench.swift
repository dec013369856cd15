import ArgumentParser
import Foundation
import Postgres
import RedressStore

/// `redress-bench console`: the time the console takes to serve its two busiest pages.
///
/// Over `--complaints` complaints in 20 branches (``WorkQueueBenchData``), a department head of
/// each branch in turn opens the work queue page (`GET /console/queue`) and complaint pages of
/// their department (`GET /console/complaints/{id}`: the complaint, its timeline,
/// communications, evidence, findings, plans and the department names, rendered), one request at
/// a time over loopback HTTP with the session cookie; the API's `GET /v1/work-queue` and
/// `GET /v1/complaints/{id}` are measured in the same run for comparison. The times are from the
/// request's first byte to the answer's last, so they bound the server's time from above.
struct ConsoleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "Console page times over HTTP.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Complaints in the database.")
    var complaints = 1_000_000

    @Option(help: "Requests measured per kind.")
    var requests = 500

    func run() async throws {
        let (owner, service) = try await database.openMigrated(ownerConnections: 2, serviceConnections: 8)
        try await WorkQueueBenchData(owner: owner).prepare(total: complaints)
        let codes = try await owner.query("SELECT code FROM branches WHERE code LIKE 'rep-%' ORDER BY code").map { try $0.decode(String.self, at: 0) }
        // Complaints each head may open: open ones of the head's department, spread over the branches.
        let cases = try await owner.query("""
            SELECT b.code, c.id FROM branches b
             CROSS JOIN LATERAL (SELECT c.id FROM complaints c JOIN users u ON u.branch_id = c.branch_id AND u.login = 'wq-head-billing'
                                  WHERE c.branch_id = b.id AND c.department_id = ANY (u.department_ids) AND c.status <> 'archived'
                                  ORDER BY c.id LIMIT 25) c
             WHERE b.code LIKE 'rep-%'
            """).map { (try $0.decode(String.self, at: 0), try $0.decode(UUID.self, at: 1)) }
        let migrator = PGMigrator(migrations: try PGMigration.load(from: URL(fileURLWithPath: database.sqlDirectory)))
        try await BenchServer.serving(pool: service, owner: owner, migrator: migrator) { api in
            var heads: [String: String] = [:]
            for code in codes {
                heads[code] = try await api.signIn(branch: code, login: "wq-head-billing", password: WorkQueueBenchData.password)
            }
            let sessions = codes.compactMap { heads[$0] }
            let pages = cases.compactMap { code, id in heads[code].map { ($0, id.uuidString.lowercased()) } }
            guard !pages.isEmpty else { throw BenchError("no complaint of a Billing head to open") }
            let (status, html) = try await api.page("/console/complaints/\(pages[0].1)", session: pages[0].0)
            guard status == 200 else { throw BenchError("the complaint page answered \(status)") }
            print("\(complaints) complaints in \(codes.count) branches; a complaint page is \(html.count / 1024) KiB")
            print("request                                           p50 ms   p99 ms   max ms")
            let queueAPI = try await Self.measure(requests) { index in
                try await api.send("GET", "/v1/work-queue", token: sessions[index % sessions.count], body: nil).status
            }
            WorkQueueBench.row("API: work queue (JSON)", queueAPI)
            let queuePage = try await Self.measure(requests) { index in
                try await api.page("/console/queue", session: sessions[index % sessions.count]).status
            }
            WorkQueueBench.row("console: work queue page", queuePage)
            let complaintAPI = try await Self.measure(requests) { index in
                let (session, id) = pages[index % pages.count]
                return try await api.send("GET", "/v1/complaints/\(id)", token: session, body: nil).status
            }
            WorkQueueBench.row("API: one complaint (JSON)", complaintAPI)
            let complaintPage = try await Self.measure(requests) { index in
                let (session, id) = pages[index % pages.count]
                return try await api.page("/console/complaints/\(id)", session: session).status
            }
            WorkQueueBench.row("console: complaint page (7 operations)", complaintPage)
            print(String(format: "console/API p50: work queue %.2fx, complaint %.2fx; p99 under 50 ms: queue %@, complaint %@",
                         queuePage.percentile(0.5) / queueAPI.percentile(0.5), complaintPage.percentile(0.5) / complaintAPI.percentile(0.5),
                         queuePage.percentile(0.99) < 50 ? "yes" : "NO", complaintPage.percentile(0.99) < 50 ? "yes" : "NO"))
        }
    }

    /// `requests` timed calls of `call` (after 20 untimed ones), each expected to answer 200.
    static func measure(_ requests: Int, _ call: (Int) async throws -> Int) async throws -> LatencySamples {
        var samples = LatencySamples()
        for index in -20..<requests {
            let started = ContinuousClock.now
            let status = try await call(index + 20)
            guard status == 200 else { throw BenchError("a measured request answered \(status)") }
            if index >= 0 { samples.record(ContinuousClock.now - started) }
        }
        return samples
    }
}
