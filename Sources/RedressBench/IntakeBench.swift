import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Postgres
import RedressCore
import RedressServer
import RedressStore
import ServiceLifecycle

/// `redress-bench intake`: complaint intake through the HTTP API against pgbench running the same
/// SQL transaction, then the department list view with `--volume` complaints in the database.
struct IntakeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "intake", abstract: "API intake versus pgbench; department list latency.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Seconds per measurement.")
    var seconds = 10

    @Option(parsing: .upToNextOption, help: "Concurrency levels.")
    var concurrency: [Int] = [1, 32]

    @Option(help: "Complaints in the database for the list view measurement (0 skips it).")
    var volume = 1_000_000

    @Option(help: "List view requests measured.")
    var listRequests = 1000

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let (ownerURL, serviceURL) = try database.urls()
        let migrator = PGMigrator(migrations: try PGMigration.load(from: URL(fileURLWithPath: database.sqlDirectory)))
        let owner = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(ownerURL), maximumConnections: 2))
        try await owner.withConnection { connection in _ = try await migrator.migrate(connection) }
        _ = try await DemoSeeder(ownerPool: owner, passwordHashCost: 4).seed()
        let fixture = try await IntakeFixture.load(owner)
        let pool = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(serviceURL),
                                                             maximumConnections: max(concurrency.max() ?? 1, 4)))
        let server = try await BenchServer.start(pool: pool, migrator: migrator)
        // The same service with every rate limit counted in the process alone, to show what sharing them costs.
        let unshared = try await BenchServer.start(pool: pool, migrator: migrator) { $0.sharedRateLimits = false }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)))
        do {
            let api = APILoad(http: http, base: "http://127.0.0.1:\(server.port)")
            let agent = try await api.signIn(branch: "north", login: "agent")
            let head = try await api.signIn(branch: "north", login: "head")
            print("intake: \(seconds) s per measurement; latency in ms")
            let (counted, warmUp) = (200, 20)
            let trips = try await api.roundTripsPerIntake(token: agent, categoryID: fixture.categoryID, requests: counted, warmUp: warmUp)
            print(String(format: "round trips to PostgreSQL per intake over HTTP (authentication included): %.2f over \(counted) intakes "
                             + "after the service's first \(warmUp) (those: %.2f, preparing their statements)", trips.warm, trips.first))
            // The shared rate limits' exchanges with the database come every quarter second whatever the load;
            // the last of the service above is over before the service without them is counted.
            try await Task.sleep(for: .seconds(1))
            let alone = APILoad(http: http, base: "http://127.0.0.1:\(unshared.port)")
            let tripsAlone = try await alone.roundTripsPerIntake(token: agent, categoryID: fixture.categoryID, requests: counted, warmUp: warmUp)
            print(String(format: "  with rate limits counted in the process alone: %.2f", tripsAlone.warm))
            print("clients  API req/s  API p50  API p99   pgbench tps  pgbench avg  ratio   API, limits unshared: req/s  shared/unshared")
            var fixture = fixture
            _ = try await api.intake(token: agent, categoryID: fixture.categoryID, clients: 1, seconds: 1)
            // Statistics as a running database has them, so that neither side runs on plans made for empty tables.
            try await owner.query("ANALYZE")
            let stored = try await owner.query("SELECT sla_policy_id, sla_deadlines::text FROM complaints WHERE sla_policy_id IS NOT NULL LIMIT 1")[0]
            fixture.policyID = try stored.decode(at: 0)
            fixture.deadlines = try stored.decode(at: 1)
            let database = try await ProcessorTime.server(behind: owner)
            var driven: [(clients: Int, load: WRKLoad.Result, pgbench: Double)] = []
            var costs: [(clients: Int, api: IntakeCost, pgbench: IntakeCost, wrk: IntakeCost)] = []
            for clients in concurrency {
                let (result, apiServer, apiProcess) = try await ProcessorTime.spent(by: database) {
                    try await api.intake(token: agent, categoryID: fixture.categoryID, clients: clients, seconds: seconds)
                }
                let (reference, pgbenchServer, _) = try await ProcessorTime.spent(by: database) {
                    try await PGBenchLoad(url: serviceURL, clients: clients, seconds: seconds).run(
                        script: IntakeTransaction.script, name: "intake", variables: fixture.pgbenchVariables(token: agent))
                }
                let local = try await alone.intake(token: agent, categoryID: fixture.categoryID, clients: clients, seconds: seconds)
                print(String(format: "%7d %10.0f %8.2f %8.2f %13.0f %12.2f %5.2fx %29.0f %16.2fx", clients, result.throughput,
                             result.latency.percentile(0.5), result.latency.percentile(0.99),
                             reference.tps, reference.latency, result.throughput / reference.tps, local.throughput,
                             result.throughput / local.throughput))
                let (load, wrkServer, wrkProcess) = try await ProcessorTime.spent(by: database) {
                    try await WRKLoad(base: "http://127.0.0.1:\(server.port)", clients: clients, seconds: seconds)
                        .intake(token: agent, categoryID: fixture.categoryID)
                }
                driven.append((clients, load, reference.tps))
                costs.append((clients, IntakeCost(database: apiServer, process: apiProcess, intakes: result.latency.milliseconds.count),
                              IntakeCost(database: pgbenchServer, process: nil, intakes: reference.transactions),
                              IntakeCost(database: wrkServer, process: wrkProcess, intakes: load.requests)))
            }
            print("the same intake driven by wrk from a process of its own, as pgbench drives the database:")
            print("clients  API req/s  API p50  API p99  against pgbench above  connections opened again")
            for (clients, load, tps) in driven {
                print(String(format: "%7d %10.0f %8.2f %8.2f %21.2fx %25d", clients, load.throughput, load.p50, load.p99,
                             load.throughput / tps, load.reconnects))
            }
            if database == nil {
                print("processor time per intake: not measured, the database server is not a process of this machine")
            } else {
                print("processor time per intake in ms (from /proc): the database server's (every process of it) and this process's")
                print("clients  database: API  database: pgbench  database: wrk  this process: API (its client included)  this process: wrk")
                for (clients, api, pgbench, wrk) in costs {
                    print(String(format: "%7d %14.2f %18.2f %14.2f %42.2f %17.2f", clients, api.databaseMilliseconds, pgbench.databaseMilliseconds,
                                 wrk.databaseMilliseconds, api.processMilliseconds, wrk.processMilliseconds))
                }
            }
            // The service's own floor at one client, to set the intake's processor time against:
            // any request (no token, no database), and a token with one scoped read.
            let floor = WRKLoad(base: "http://127.0.0.1:\(server.port)", clients: 1, seconds: seconds)
            let (live, _, liveProcess) = try await ProcessorTime.spent(by: database) { try await floor.get("/healthz", token: nil) }
            let (me, meServer, meProcess) = try await ProcessorTime.spent(by: database) { try await floor.get("/v1/me", token: agent) }
            let liveCost = IntakeCost(database: nil, process: liveProcess, intakes: live.requests)
            let meCost = IntakeCost(database: meServer, process: meProcess, intakes: me.requests)
            print("this process's processor time per request at 1 client (wrk), beside the intake's above:")
            print(String(format: "  GET /healthz (no token, no database): %.2f ms (%.0f req/s)", liveCost.processMilliseconds, live.throughput))
            print(String(format: "  GET /v1/me (its token and one scoped read): %.2f ms (%.0f req/s; the database %.2f ms)",
                         meCost.processMilliseconds, me.throughput, meCost.databaseMilliseconds))
            if volume > 0 {
                try await ComplaintVolume(owner: owner).fill(to: volume)
                let list = try await api.listDepartment(token: head, requests: listRequests)
                print(String(format: "department list (newest 50 of Billing, %d complaints in the database): p50 %.2f ms, p99 %.2f ms",
                             volume, list.percentile(0.5), list.percentile(0.99)))
            }
        } catch {
            try? await http.shutdown()
            await server.stop()
            await unshared.stop()
            await owner.shutdown()
            throw error
        }
        try await http.shutdown()
        await server.stop()
        await unshared.stop()
        await owner.shutdown()
    }
}

/// Processor seconds spent over a measurement, and the intakes it made.
struct IntakeCost {
    var database: Double?
    var process: Double?
    var intakes: Int

    /// Milliseconds of the database server's processor time per intake (NaN when not measured).
    var databaseMilliseconds: Double { Self.perIntake(database, intakes) }
    /// Milliseconds of this process's processor time per intake (NaN when not measured).
    var processMilliseconds: Double { Self.perIntake(process, intakes) }

    private static func perIntake(_ seconds: Double?, _ intakes: Int) -> Double {
        guard let seconds, intakes > 0 else { return .nan }
        return seconds * 1000 / Double(intakes)
    }
}

/// The ids and secrets the pgbench script needs, read from the demo data as the owner.
struct IntakeFixture {
    var branchID: UUID
    var userID: UUID
    var categoryID: UUID
    var departmentID: UUID
    /// A schedule the API stored, and its policy, for the pgbench script to store likewise.
    var policyID: UUID?
    var deadlines: String?

    static func load(_ owner: PGPool) async throws -> IntakeFixture {
        let row = try await owner.query("""
            SELECT b.id, u.id, c.id, r.department_id
              FROM branches b JOIN users u ON u.branch_id = b.id AND u.login = 'agent'
              JOIN categories c ON c.branch_id = b.id AND c.code = 'billing'
              JOIN routing_rules r ON r.branch_id = b.id AND r.category_id = c.id
             WHERE b.code = 'north'
            """)[0]
        return IntakeFixture(branchID: try row.decode(at: 0), userID: try row.decode(at: 1), categoryID: try row.decode(at: 2),
                             departmentID: try row.decode(at: 3))
    }

    func pgbenchVariables(token: String) -> [String: String] {
        [
            "tokenhash": (CredentialSecret(presented: token)?.hash ?? Data()).map { String(format: "%02x", $0) }.joined(),
            "user": userID.uuidString.lowercased(), "roles": "{agent}", "branches": "{\(branchID.uuidString.lowercased())}",
            "none": "{}", "branch": branchID.uuidString.lowercased(), "category": categoryID.uuidString.lowercased(),
            "department": departmentID.uuidString.lowercased(), "description": APILoad.description,
            "policy": policyID?.uuidString.lowercased() ?? "", "deadlines": deadlines ?? "{}",
            // Sealed values the size of the API's: the complainant, the code's digest, the message.
            "sealed": Self.hex(bytes: 92), "digest": Self.hex(bytes: 32), "box": Self.hex(bytes: 300),
            "content": "B***您好，North Branch已于2026-12-05 19:29受理您的投诉，编号NORTH-20261205-001973，查询码••••-••••-••••，可在—查询进度。我们将尽快告知处理安排。联系方式：—",
        ]
    }

    /// `bytes` random bytes in hex.
    static func hex(bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
