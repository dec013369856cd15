import Foundation
import LocalPostgres

/// Runs `pgbench` with a custom script, prepared statements, and the same number of clients.
struct PGBenchLoad {
    let url: String
    let clients: Int
    let seconds: Int

    /// Returns transactions per second as pgbench reports them (without connection time).
    func run(_ workload: Workload) throws -> Double {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("redress-bench-\(workload.rawValue).sql")
        try workload.pgbenchScript.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let (status, text) = try Subprocess.run([
            "/usr/bin/env", "pgbench", "-n", "-M", "prepared", "-f", script.path, "-c", String(clients),
            "-j", String(min(clients, 2)), "-T", String(seconds), url,
        ])
        guard status == 0,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
              let tps = Double(line.dropFirst(6).prefix(while: { $0.isNumber || $0 == "." }))
        else {
            throw BenchError("pgbench failed: \(text)")
        }
        return tps
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
