import ArgumentParser
import Foundation
import Logging
import Postgres
import RedressCore
import RedressStore

/// `redress-bench rls`: what row-level security costs when listing one department's rows.
///
/// Builds a table of `--rows` rows over `--branches` branches of six departments each, with the
/// department-scoped policy the tenant tables use. Each iteration picks a random department and
/// lists it twice: as the service role under RLS with a department head's (or branch manager's)
/// scope, and as the owner (whose policy lets every row through) with the WHERE clause that
/// selects the same rows written out: that branch and department. Both queries are checked to
/// return the same rows. The two run alternately, each going first every other time, so machine
/// noise and warm caches favour neither. A last line compares the two ways of setting the scope
/// (``ScopeSettingBench``).
struct RLSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rls", abstract: "Row-level security cost on a listing.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Rows in the table.")
    var rows = 1_000_000

    @Option(help: "Branches the rows spread over.")
    var branches = 20

    @Option(help: "Measured iterations per listing.")
    var iterations = 2000

    @Flag(help: "Call the scope functions directly in the policy, as on Citus, instead of in per-statement sub-selects.")
    var citusPolicies = false

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let (ownerURL, serviceURL) = try database.urls()
        let departments = try await RLSBenchData(ownerURL: ownerURL, sqlDirectory: database.sqlDirectory)
            .prepare(rows: rows, branches: branches, citusPolicies: citusPolicies)
        let owner = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(ownerURL), maximumConnections: 1))
        let service = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(serviceURL), maximumConnections: 1))
        let scoped = ScopedDatabase(pool: service)
        print("\(rows) rows, \(branches) branches, \(departments.count) departments; \(iterations) iterations per line, times in ms; "
              + (citusPolicies ? "scope functions called directly in the policy (as on Citus)" : "scope functions in per-statement sub-selects"))
        print("listing                       scope            RLS p50  owner p50  ratio   RLS p99  owner p99  | whole transaction p50 ratio")
        for listing in [Listing.page, .department] {
            for head in [true, false] {
                let count = listing == .page ? iterations : max(50, iterations / 10)
                let result = try await measure(listing, asHead: head, departments: departments, iterations: count,
                                               owner: owner, database: scoped)
                print(result)
            }
        }
        print(try await ScopeSettingBench(service: service, scoped: scoped).run(iterations: iterations, departments: departments))
        await owner.shutdown()
        await service.shutdown()
    }

    enum Listing: String {
        /// The newest 50 rows of the department.
        case page = "newest 50 of a department"
        /// Every row of the department (about rows / branches / 6).
        case department = "all rows of a department"

        var limit: Int { self == .page ? 50 : 1_000_000 }
    }

    private func measure(
        _ listing: Listing, asHead: Bool, departments: [(branch: UUID, department: UUID)], iterations: Int,
        owner: PGPool, database: ScopedDatabase
    ) async throws -> String {
        var rls = LatencySamples(), plain = LatencySamples(), rlsWhole = LatencySamples(), plainWhole = LatencySamples()
        for iteration in -100..<iterations {
            let (branch, department) = departments.randomElement()!
            let scope = AccessScope(
                userID: UUID(), roles: [asHead ? .departmentHead : .branchManager], branchIDs: [branch],
                wideBranchIDs: asHead ? [] : [branch], caseBranchIDs: asHead ? [] : [branch], departmentIDs: asHead ? [department] : [], adminBranchIDs: [])
            // Whichever runs first reads the department's rows into the processor's caches for the
            // other, so the two take turns at going first.
            let sql: PGQuery = """
                SELECT id, department_id, status, received_at, subject FROM bench_cases
                 WHERE branch_id = \(branch) AND department_id = \(department)
                 ORDER BY received_at DESC, id DESC LIMIT \(listing.limit)
                """
            var inner = LatencySamples(), outer = LatencySamples()
            var ownerInner = LatencySamples(), ownerOuter = LatencySamples()
            var seen = 0, expected = 0
            for turn in iteration.isMultiple(of: 2) ? [true, false] : [false, true] {
                if turn {
                    seen = try await outer.measure {
                        try await database.withScope(scope, readOnly: true) { connection in
                            try await inner.measure { try await connection.query(sql).count }
                        }
                    }
                } else {
                    expected = try await ownerOuter.measure {
                        try await owner.withTransaction(PGTransactionOptions(readOnly: true)) { connection in
                            try await ownerInner.measure { try await connection.query(sql).count }
                        }
                    }
                }
            }
            guard seen == expected, seen > 0 else {
                throw ValidationError("RLS returned \(seen) rows where the written-out WHERE returned \(expected)")
            }
            if iteration >= 0 {
                rls.record(inner.total); plain.record(ownerInner.total)
                rlsWhole.record(outer.total); plainWhole.record(ownerOuter.total)
            }
        }
        let ratio = rls.percentile(0.5) / plain.percentile(0.5)
        return String(format: "%-29@ %-15@ %8.3f %10.3f %5.2fx %9.3f %10.3f  | %8.3f vs %.3f %5.2fx",
                      listing.rawValue as NSString, (asHead ? "department head" : "branch manager") as NSString,
                      rls.percentile(0.5), plain.percentile(0.5), ratio, rls.percentile(0.99), plain.percentile(0.99),
                      rlsWhole.percentile(0.5), plainWhole.percentile(0.5), rlsWhole.percentile(0.5) / plainWhole.percentile(0.5))
    }
}
