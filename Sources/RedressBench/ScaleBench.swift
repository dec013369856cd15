import ArgumentParser
import AsyncHTTPClient
import Foundation
import Postgres
import RedressCore
import RedressStore

/// `redress-bench scale`: how the figures that matter grow with the number of complaints.
///
/// For each of `--sizes`, smallest first, the database is topped up to that many complaints in
/// branches of `--complaints-per-branch` each (``ScaleBenchData``: with their timeline entries, hand-overs, messages to
/// complainants and audit trail), and measured: bytes on disk per complaint; over HTTP, a department head's list view and
/// whole work queue; through the store, as the API asks for them, a branch manager's monthly report
/// by department and an executive's monthly report of 20 branches and of every branch; and intake
/// over HTTP at each concurrency beside pgbench running the same transaction; last, the escalation
/// burst (``ScaleBurst``), which leaves its escalations behind. At the end a table gives every
/// figure at every size and its ratio to the first size's, sizes kept by earlier runs in
/// `--figures-file` included (a cluster kept with `BENCH_CLUSTER` can be topped up and measured
/// again in a later run, compared with what the smaller size measured).
///
/// Bytes per complaint are over the whole database, so the benchmark refuses a database that holds
/// another benchmark's data; `scripts/bench` gives each run a cluster of its own.
struct ScaleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale", abstract: "Figures at growing numbers of complaints.")

    @OptionGroup var database: DatabaseOptions

    @Option(parsing: .upToNextOption, help: "Numbers of complaints to measure at, smallest first.")
    var sizes: [Int] = [1_000_000, 10_000_000]

    @Option(help: "Complaints per branch: each size has as many branches as it fills (at least 20).")
    var complaintsPerBranch = 50_000

    @Option(help: "Requests measured per latency figure.")
    var requests = 300

    @Option(help: "Seconds per intake measurement.")
    var seconds = 10

    @Option(parsing: .upToNextOption, help: "Intake concurrency levels.")
    var concurrency: [Int] = [1, 32]

    @Option(help: "Open complaints falling due at once in the escalation burst measured at each size (0: none).")
    var burst = 100_000

    @Option(help: "A file keeping each size's figures; sizes measured by earlier runs are compared with this run's.")
    var figuresFile: String?

    @Flag(help: "Only load up to the largest size, measuring nothing: for a load spread over several runs (see BENCH_CLUSTER in scripts/bench).")
    var loadOnly = false

    func validate() throws {
        guard !sizes.isEmpty, sizes == sizes.sorted(), sizes[0] > 0 else { throw ValidationError("--sizes must be positive and ascending") }
        guard complaintsPerBranch > 0 else { throw ValidationError("--complaints-per-branch must be positive") }
        guard burst >= 0 else { throw ValidationError("--burst must not be negative") }
    }

    func run() async throws {
        let (owner, service) = try await database.openMigrated(ownerConnections: 2, serviceConnections: max(concurrency.max() ?? 1, 4))
        let migrator = PGMigrator(migrations: try PGMigration.load(from: URL(fileURLWithPath: database.sqlDirectory)))
        _ = try await DemoSeeder(ownerPool: owner, passwordHashCost: 4).seed()
        let data = ScaleBenchData(owner: owner, perBranch: complaintsPerBranch)
        if loadOnly {
            var failure: (any Error)?
            do { try await data.prepare(total: sizes[sizes.count - 1]) } catch { failure = error }
            await owner.shutdown()
            if let failure { throw failure }
            return
        }
        let scheduler = try database.schedulerPool(connections: 4)
        let server = try await BenchServer.start(pool: service, migrator: migrator)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(
            connectionPool: .init(idleTimeout: .seconds(600), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)))
        let outcome: Result<[ScaleFigures], any Error>
        do {
            let api = APILoad(http: http, base: "http://127.0.0.1:\(server.port)")
            var measured = try figuresFile.map { try ScaleFigures.load(from: $0) } ?? []
            for size in sizes {
                try await data.prepare(total: size)
                let figures = try await measure(size: size, data: data, api: api, owner: owner, service: service, scheduler: scheduler)
                measured = (measured.filter { $0.complaints != size } + [figures]).sorted { $0.complaints < $1.complaints }
                try figuresFile.map { try ScaleFigures.save(measured, to: $0) }
                // Every size so far, so that a failure at a larger size keeps the figures of the smaller;
                // flushed, since standard output sent to a file is written only when its buffer fills.
                ScaleFigures.printComparison(measured)
                fflush(nil)
            }
            outcome = .success(measured)
        } catch {
            outcome = .failure(error)
        }
        try? await http.shutdown()
        await server.stop()
        await scheduler.shutdown()
        await owner.shutdown()
        if case .failure(let error as PGError) = outcome {
            // The message and statement, which a PGError's description leaves out.
            FileHandle.standardError.write(Data((error.debugDescription + "\n").utf8))
        }
        _ = try outcome.get()
    }

    private func measure(size: Int, data: ScaleBenchData, api: APILoad, owner: PGPool, service: PGPool,
                         scheduler: PGPool) async throws -> ScaleFigures {
        var figures = ScaleFigures(complaints: size)
        figures.record("branches", Double(data.branches(for: size)), unit: "")
        let footprint = try await data.footprint()
        print("\(footprint.complaints) complaints in the database (\(size) in \(data.branches(for: size)) branches, the rest taken in by the intake "
              + "measurements); bytes on disk per complaint (tables with their indexes, and the indexes' part):")
        for (group, bytes, inIndexes) in footprint.perComplaint {
            print("  " + group.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: " %8.0f  indexes %8.0f", bytes, inIndexes))
            figures.record("bytes per complaint, \(group)", bytes, unit: "B")
        }
        figures.record("bytes per complaint in indexes, all tables", footprint.perComplaint.last?.inIndexes ?? 0, unit: "B")
        let codes = try await owner.query("""
            SELECT code, id FROM branches WHERE code LIKE \(ScaleBenchData.prefix + "%") ORDER BY id
            """).map { (try $0.decode(String.self, at: 0), try $0.decode(UUID.self, at: 1)) }
        var heads: [String] = []
        for (code, _) in codes.prefix(20) {
            heads.append(try await api.signIn(branch: code, login: "wq-head-billing", password: WorkQueueBenchData.password))
        }
        figures.record("department list (newest 50)",
                       try await WorkQueueBench.measure(api, tokens: heads, path: "/v1/complaints?myDepartments=true&limit=50",
                                                        requests: requests))
        figures.record("work queue of a department head",
                       try await WorkQueueBench.measure(api, tokens: heads, path: "/v1/work-queue", requests: requests))
        try await measureReports(codes.map(\.1), service: service, into: &figures)
        try await measureIntake(api: api, owner: owner, into: &figures)
        if burst > 0 {
            let outcome = try await ScaleBurst(owner: owner, scheduler: scheduler, count: burst).measure()
            print("escalation burst: \(burst) open complaints due at once (their next tier and the acknowledgement's breach), "
                  + String(format: "%.1f s with one scheduler: ", outcome.seconds)
                  + "\(outcome.escalations) escalations, \(outcome.pages) pages, \(outcome.auditEntries) audit entries")
            figures.record("escalation burst of \(burst), one scheduler", outcome.seconds, unit: "s")
        }
        return figures
    }

    private func measureReports(_ branchIDs: [UUID], service: PGPool, into figures: inout ScaleFigures) async throws {
        let store = ReportStore(database: ScopedDatabase(pool: service))
        let months = (0..<12).map { LocalDate(2025, 11, 1).firstOfMonth(adding: $0) }
        func caller(_ roles: Set<Role>, granted: ArraySlice<UUID> = []) -> Caller {
            Caller(userID: UUID(), branchID: granted.first ?? branchIDs[0], branchCode: "scl", login: "bench", name: "Bench", roles: roles,
                   grantedBranchIDs: Set(granted.dropFirst()), credential: .session(UUID()))
        }
        var branch = LatencySamples()
        for index in -10..<requests {
            let turn = index + 10
            let manager = caller([.branchManager], granted: branchIDs[(turn % branchIDs.count)...].prefix(1))
            let started = ContinuousClock.now
            _ = try await store.complaints(manager, period: .containing(.month, months[(turn * 7) % 12]), groupBy: .department,
                                           filter: ReportFilter())
            if index >= 0 { branch.record(ContinuousClock.now - started) }
        }
        figures.record("branch monthly report by department", branch)
        for (title, granted) in [("20 branches", branchIDs.prefix(20)), ("every branch", branchIDs[...])] {
            let executive = caller([.executive], granted: granted)
            // At least 100 samples, so that the p99 is not simply the slowest; a few first to warm up.
            var samples = LatencySamples()
            for index in -5..<max(100, requests / 3) {
                let started = ContinuousClock.now
                _ = try await store.complaints(executive, period: .containing(.month, months[(index + 5) % 12]), groupBy: .branch,
                                               filter: ReportFilter())
                if index >= 0 { samples.record(ContinuousClock.now - started) }
            }
            figures.record("executive monthly report of \(title)", samples)
        }
    }

    private func measureIntake(api: APILoad, owner: PGPool, into figures: inout ScaleFigures) async throws {
        var fixture = try await IntakeFixture.load(owner)
        let agent = try await api.signIn(branch: "north", login: "agent")
        _ = try await api.intake(token: agent, categoryID: fixture.categoryID, clients: 1, seconds: 1)
        let stored = try await owner.query("""
            SELECT c.sla_policy_id, c.sla_deadlines::text FROM complaints c JOIN branches b ON b.id = c.branch_id AND b.code = 'north'
             WHERE c.sla_policy_id IS NOT NULL LIMIT 1
            """)[0]
        fixture.policyID = try stored.decode(at: 0)
        fixture.deadlines = try stored.decode(at: 1)
        let (_, serviceURL) = try database.urls()
        for clients in concurrency {
            let result = try await api.intake(token: agent, categoryID: fixture.categoryID, clients: clients, seconds: seconds)
            let reference = try await PGBenchLoad(url: serviceURL, clients: clients, seconds: seconds).run(
                script: IntakeTransaction.script, name: "intake", variables: fixture.pgbenchVariables(token: agent))
            figures.record("intake at \(clients) client\(clients == 1 ? "" : "s"), req/s", result.throughput, unit: "/s", higherIsBetter: true)
            figures.record("  pgbench at \(clients) client\(clients == 1 ? "" : "s"), same transaction, tps", reference.tps, unit: "/s",
                           higherIsBetter: true)
        }
    }
}
