import ArgumentParser
import Foundation
import Logging
import Postgres
import RedressStore

/// `redress demo`: creates the demo organisation (two branches, their departments, a user for
/// every role, a bot key) and prints how to sign in. Safe to repeat; each run issues a new bot key.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Create demo branches, users and a bot key, and print how to sign in.")

    @Option(help: "The port the printed examples use (env PORT, default 8080).")
    var port: Int?

    func run() async throws {
        let settings = try Settings()
        settings.bootstrapLogging()
        let logger = Logger(label: "redress.demo")
        let database = try DatabaseTarget.resolve(settings, logger: logger)
        defer { try? database.cluster?.stop() }
        guard let ownerURL = database.ownerURL ?? settings.ownerDatabaseURL else {
            throw SettingsError("set OWNER_DATABASE_URL: demo data is created as the schema owner")
        }
        let migrator = PGMigrator(migrations: try PGMigration.load(from: settings.migrationsDirectory()), logger: logger)
        try await reportingDatabaseErrors {
            try await DatabaseTarget.migrate(ownerURL: ownerURL, migrator: migrator, logger: logger)
            let port = port ?? Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 8080
            try await Self.seed(ownerURL: ownerURL, settings: settings, port: port)
        }
    }

    /// Seeds the demo data on the owner's connection and prints sign-in instructions.
    static func seed(ownerURL: String, settings: Settings, port: Int) async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(ownerURL, applicationName: "redress-demo"), maximumConnections: 1))
        let summary: DemoSeeder.Summary
        do {
            summary = try await DemoSeeder(ownerPool: pool, passwordHashCost: settings.passwordHashCost).seed()
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
        FileHandle.standardOutput.write(Data((instructions(summary, port: port) + "\n").utf8))
    }

    static func instructions(_ summary: DemoSeeder.Summary, port: Int) -> String {
        let base = "http://localhost:\(port)"
        let people = summary.branchCodes.map { code in
            "  \(code): " + (summary.logins[code] ?? []).filter { $0 != "bot" }.joined(separator: ", ")
        }.joined(separator: "\n")
        return """

            Demo data is ready. Every demo person's password is \(DemoSeeder.password)
            \(people)
            (executive in \(summary.branchCodes[0]) also covers \(summary.branchCodes.dropFirst().joined(separator: ", ")))

            Sign in and call the API:
              curl -s -X POST \(base)/v1/auth/sign-in -H 'Content-Type: application/json' \\
                   -d '{"branch":"\(summary.branchCodes[0])","login":"admin","password":"\(DemoSeeder.password)"}'
              curl -s \(base)/v1/me -H "Authorization: Bearer <token from sign-in>"

            The escalation bot of \(summary.branchCodes[0]) uses this API key (shown once; a new one each run):
              curl -s \(base)/v1/me -H "Authorization: Bearer \(summary.botKey)"

            """
    }
}
