import ArgumentParser
import Foundation
import Postgres
import RedressStore

/// `redress-bench work-queue`: the latency of `GET /v1/work-queue` over HTTP.
///
/// Over `--complaints` complaints in 20 branches (``WorkQueueBenchData``), a department head of
/// each branch in turn asks for their whole queue (seven buckets, ten items each) through the API
/// served in this process; reported are p50, p99 and the maximum, then the same for a branch
/// manager, whose queue is the whole branch, and for one bucket's second page.
struct WorkQueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "work-queue", abstract: "Work queue latency over HTTP.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Complaints in the database.")
    var complaints = 1_000_000

    @Option(help: "Requests measured per kind.")
    var requests = 500

    func run() async throws {
        let (owner, service) = try await database.openMigrated(ownerConnections: 2, serviceConnections: 4)
        try await WorkQueueBenchData(owner: owner).prepare(total: complaints)
        let codes = try await owner.query("SELECT code FROM branches WHERE code LIKE 'rep-%' ORDER BY code").map { try $0.decode(String.self, at: 0) }
        let migrator = PGMigrator(migrations: try PGMigration.load(from: URL(fileURLWithPath: database.sqlDirectory)))
        try await BenchServer.serving(pool: service, owner: owner, migrator: migrator) { api in
            var heads: [String] = [], managers: [String] = []
            for code in codes {
                heads.append(try await api.signIn(branch: code, login: "wq-head-billing", password: WorkQueueBenchData.password))
            }
            _ = try await owner.query("""
                INSERT INTO users (branch_id, login, name, roles, password_hash)
                SELECT b.id, 'wq-manager', 'Branch manager', '{branch_manager}', \(try await PasswordHasher.hash(WorkQueueBenchData.password, cost: 4))
                  FROM branches b WHERE b.code LIKE 'rep-%' ON CONFLICT DO NOTHING
                """)
            for code in codes.prefix(5) {
                managers.append(try await api.signIn(branch: code, login: "wq-manager", password: WorkQueueBenchData.password))
            }
            let (_, sample) = try await api.send("GET", "/v1/work-queue", token: heads[0], body: nil)
            let document = try JSONSerialization.jsonObject(with: sample) as? [String: Any] ?? [:]
            let counts = (document["buckets"] as? [[String: Any]] ?? []).map { "\($0["bucket"] ?? "?") \($0["count"] ?? "?")" }
            print("\(complaints) complaints in \(codes.count) branches; the Billing head of \(codes[0]) sees: " + counts.joined(separator: ", "))
            print("request                                           p50 ms   p99 ms   max ms")
            Self.row("department head, whole queue", try await Self.measure(api, tokens: heads, path: "/v1/work-queue", requests: requests))
            Self.row("branch manager, whole queue", try await Self.measure(api, tokens: managers, path: "/v1/work-queue", requests: requests / 5))
            let (_, first) = try await api.send("GET", "/v1/work-queue?bucket=overdue&limit=50", token: heads[0], body: nil)
            let cursor = ((try JSONSerialization.jsonObject(with: first) as? [String: Any])?["buckets"] as? [[String: Any]])?.first?["nextCursor"] as? String
            if let cursor {
                Self.row("department head, overdue, second page of 50",
                         try await Self.measure(api, tokens: [heads[0]], path: "/v1/work-queue?bucket=overdue&limit=50&cursor=\(cursor)",
                                                requests: requests / 5))
            }
        }
    }

    static func measure(_ api: APILoad, tokens: [String], path: String, requests: Int) async throws -> LatencySamples {
        var samples = LatencySamples()
        for index in -20..<requests {
            let started = ContinuousClock.now
            let (status, _) = try await api.send("GET", path, token: tokens[(index + 20) % tokens.count], body: nil)
            guard status == 200 else { throw BenchError("\(path) answered \(status)") }
            if index >= 0 { samples.record(ContinuousClock.now - started) }
        }
        return samples
    }

    static func row(_ kind: String, _ samples: LatencySamples) {
        print(kind.padding(toLength: 48, withPad: " ", startingAt: 0)
              + String(format: " %7.1f  %7.1f  %7.1f", samples.percentile(0.5), samples.percentile(0.99), samples.milliseconds.max() ?? 0))
    }
}
