import ArgumentParser
import Foundation
import LocalPostgres
import Logging
import Postgres
import RedressCore
import RedressScheduler
import RedressStore

/// A delivering process of its own, started from this program (`redress-bench deliver`) so
/// that it can be killed like a scheduler on a lost machine.
struct DeliveringProcess {
    let schedulerURL: String
    let keys: PersonalDataKeys

    /// A running delivering process.
    struct Running {
        let process: Process

        /// Asks it to stop and waits, on a thread of its own (``OwnThread``).
        func terminate() async throws {
            process.terminate()
            try await waitForExit()
        }

        /// Kills it at once (SIGKILL), as a lost machine would stop.
        func kill() async throws {
            _ = Foundation.kill(process.processIdentifier, SIGKILL)
            try await waitForExit()
        }

        private func waitForExit() async throws {
            let process = process
            try await OwnThread.run { process.waitUntilExit() }
        }
    }

    func start() throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        process.arguments = ["deliver", "--scheduler-url", schedulerURL]
        process.environment = ProcessInfo.processInfo.environment.merging(keys.settings) { $1 }
        try process.run()
        return Running(process: process)
    }
}

/// `redress-bench deliver`: delivers pages and messages until killed, as the scheduler's deliverer,
/// to gateways on loopback.
struct DeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deliver", abstract: "Deliver until killed (for `messages`).",
                                                    shouldDisplay: false)

    @Option(help: "The scheduler role's connection.")
    var schedulerURL: String

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let environment = ProcessInfo.processInfo.environment
        let keys = try PersonalDataKeys(keys: environment["PII_KEYS"] ?? "", currentKeyID: environment["PII_KEY_ID"],
                                        indexKey: environment["PII_INDEX_KEY"] ?? "")
        let pool = PGPool(configuration: PGPoolConfiguration(connection: PGConnectionConfiguration(schedulerURL), maximumConnections: 4))
        var configuration = DeliveryConfiguration(timeout: .seconds(2), targets: WebhookTargetPolicy(allowing: ["127.0.0.1"]))
        configuration.gatewayHosts = ["127.0.0.1"]
        let deliverer = WebhookDeliverer(pool: pool, listen: PGConnectionConfiguration(schedulerURL), configuration: configuration, keys: keys)
        while true {
            if try await deliverer.drain() == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
    }
}
