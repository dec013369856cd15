import Foundation
import LocalPostgres
import Testing

@Suite("serve refuses the example's published secrets")
struct PublishedSecretsTests {
    /// Starts `redress serve` (and `redress scheduler`) with `environment`; returns its exit status and log.
    static func run(_ command: String, _ environment: [String: String]) async throws -> (status: Int32, log: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let arguments = command == "serve" ? [command, "--host", "127.0.0.1", "--port", "0"] : [command]
        let pid = try Subprocess.spawn([MultiInstanceTests.executable] + arguments,
                                       environment: environment.merging(["METRICS_PORT": "0", "LOG_LEVEL": "error"]) { $1 }, outputPath: log)
        let status = try await OwnThread.run { try Subprocess.wait(pid) }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    static let example = [
        "DATABASE_URL": "postgresql://redress_service:change-me@127.0.0.1:1/redress",
        "OWNER_DATABASE_URL": "postgresql://redress_owner:change-me@127.0.0.1:1/redress",
        "PII_KEYS": "k1:LgwhGRA7XMWaYFCFB3bAtKTGtLMdKrrVueRHja1DKcw=", "PII_KEY_ID": "k1",
        "PII_INDEX_KEY": "yiTsR+UuA8W1v/06TxxlifzHXF5bEk9+pmDOs9th/Qs=",
    ]

    /// An operator deploys deploy/redress.env.example unchanged: neither process starts, and
    /// the message names every problem.
    @Test func theExampleEnvironmentIsRefused() async throws {
        for command in ["serve", "scheduler"] {
            let (status, log) = try await Self.run(command, Self.example)
            #expect(status != 0, "\(command)")
            #expect(log.contains("refusing to start") && log.contains("PII_KEYS") && log.contains("DATABASE_URL")
                    && log.contains("OWNER_DATABASE_URL"), "\(command): \(log)")
        }
    }

    @Test func oneLeftoverIsEnough() async throws {
        var keysOnly = Self.example
        keysOnly["DATABASE_URL"] = "postgresql://redress_service:Xk3-real-password@127.0.0.1:1/redress"
        keysOnly["OWNER_DATABASE_URL"] = nil
        let (status, log) = try await Self.run("serve", keysOnly)
        #expect(status != 0 && log.contains("published example key") && !log.contains("DATABASE_URL uses"))
        var passwordOnly = Self.example
        passwordOnly["PII_KEYS"] = "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        passwordOnly["PII_INDEX_KEY"] = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        passwordOnly["OWNER_DATABASE_URL"] = nil
        let second = try await Self.run("serve", passwordOnly)
        #expect(second.status != 0 && second.log.contains("DATABASE_URL uses the example password") && !second.log.contains("published"))
    }
}
