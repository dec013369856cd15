import ArgumentParser
import Foundation
import Logging
import Postgres

/// `redress-bench`: performance measurements that print their figures.
@main
struct RedressBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redress-bench", abstract: "Redress benchmarks.",
        subcommands: [ClientBench.self, RLSBench.self, IntakeBench.self, EscalationBench.self, ReportBench.self, WorkQueueBench.self, ConsoleBench.self, LookupBench.self, LibraryBench.self,
                      MessageBench.self, ScaleBench.self, DeliverCommand.self], defaultSubcommand: ClientBench.self)
}

/// `redress-bench client`: measures the database client against `pgbench` on the same server.
///
/// Single-row `SELECT` by primary key and single-row `INSERT`, through our pool, at each
/// concurrency, then `pgbench` running the same statements with the same number of clients.
/// Rounds alternate between the two so that machine noise hits both alike; the best round of each
/// is reported together with the ratio.
struct ClientBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "Client throughput versus pgbench.")

    @Option(help: "Connection string of a role that may create a table (env BENCH_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Seconds per measurement.")
    var seconds: Int = 5

    @Option(help: "Rounds per measurement; the best is reported.")
    var rounds: Int = 2

    @Option(parsing: .upToNextOption, help: "Concurrency levels.")
    var concurrency: [Int] = [1, 8]

    static let rowCount = 100_000

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["BENCH_DATABASE_URL"] else {
            throw ValidationError("pass --database-url or set BENCH_DATABASE_URL")
        }
        try await prepareTable(url)
        let workloads = [Workload.selectByKey, .insertRow]
        print("workload       clients  pgbench tps  redress held  ratio  redress per-statement  ratio")
        for workload in workloads {
            for clients in concurrency {
                var held: [Double] = [], perStatement: [Double] = [], reference: [Double] = []
                for _ in 0..<rounds {
                    reference.append(try await PGBenchLoad(url: url, clients: clients, seconds: seconds).run(workload))
                    held.append(try await ClientLoad(url: url, clients: clients, seconds: seconds, holdConnection: true).run(workload))
                    perStatement.append(try await ClientLoad(url: url, clients: clients, seconds: seconds, holdConnection: false).run(workload))
                }
                let base = reference.max()!, bestHeld = held.max()!, bestEach = perStatement.max()!
                print(String(format: "%-14@ %8d %12.0f %13.0f %5.2fx %22.0f %5.2fx", workload.rawValue as NSString, clients,
                             base, bestHeld, bestHeld / base, bestEach, bestEach / base))
            }
        }
    }

    private func prepareTable(_ url: String) async throws {
        let connection = try await PGConnection.connect(PGConnectionConfiguration(url))
        defer { connection.close() }
        try await connection.executeScript("""
            DROP TABLE IF EXISTS bench_items;
            CREATE TABLE bench_items (
                id bigserial PRIMARY KEY,
                name text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            INSERT INTO bench_items (name) SELECT 'item ' || n FROM generate_series(1, \(Self.rowCount)) n;
            """)
        try await connection.executeScript("VACUUM ANALYZE bench_items")
    }
}

/// The statements measured.
enum Workload: String {
    case selectByKey = "select-by-key"
    case insertRow = "insert-row"

    /// The same statement as a pgbench script.
    var pgbenchScript: String {
        switch self {
        case .selectByKey:
            return "\\set id random(1, \(ClientBench.rowCount))\nSELECT id, name, created_at FROM bench_items WHERE id = :id;\n"
        case .insertRow:
            return "INSERT INTO bench_items (name) VALUES ('bench');\n"
        }
    }
}
