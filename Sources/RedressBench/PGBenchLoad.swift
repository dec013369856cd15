import Foundation
import LocalPostgres

/// Runs `pgbench` with a custom script, prepared statements, and the same number of clients.
struct PGBenchLoad {
    let url: String
    let clients: Int
    let seconds: Int

    /// Returns transactions per second as pgbench reports them (without connection time).
    func run(_ workload: Workload) async throws -> Double {
        try await run(script: workload.pgbenchScript, name: workload.rawValue).tps
    }

    /// Runs `script` with `variables` (`-D name=value`); returns tps, the average latency in ms and
    /// the transactions run.
    func run(script text: String, name: String, variables: [String: String] = [:]) async throws
        -> (tps: Double, latency: Double, transactions: Int) {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("redress-bench-\(name).sql")
        try text.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let defines = variables.sorted { $0.key < $1.key }.flatMap { ["-D", "\($0.key)=\($0.value)"] }
        let (status, text) = try await Subprocess.run([
            "/usr/bin/env", "pgbench", "-n", "-M", "prepared", "-f", script.path, "-c", String(clients),
            "-j", String(min(clients, 2)), "-T", String(seconds),
        ] + defines + [url])
        guard status == 0,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
              let tps = Double(line.dropFirst(6).prefix(while: { $0.isNumber || $0 == "." }))
        else {
            throw BenchError("pgbench failed: \(text)")
        }
        let latency = text.split(separator: "\n").first { $0.hasPrefix("latency average = ") }
            .flatMap { Double($0.dropFirst(18).prefix(while: { $0.isNumber || $0 == "." })) } ?? 0
        let transactions = text.split(separator: "\n").first { $0.hasPrefix("number of transactions actually processed: ") }
            .flatMap { Int($0.dropFirst(43).prefix(while: \.isNumber)) } ?? 0
        return (tps, latency, transactions)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
