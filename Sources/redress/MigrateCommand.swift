import ArgumentParser
import Logging
import Postgres

/// `redress migrate`: applies pending migrations as the schema owner, or reports their status.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending SQL migrations (uses OWNER_DATABASE_URL, else DATABASE_URL).")

    @Flag(help: "Only report which migrations are applied, pending or changed.")
    var status = false

    func run() async throws {
        try await reportingDatabaseErrors(migrate)
    }

    private func migrate() async throws {
        let settings = try Settings()
        settings.bootstrapLogging()
        let logger = Logger(label: "redress.migrate")
        guard let url = settings.ownerDatabaseURL ?? settings.databaseURL else {
            throw SettingsError("set OWNER_DATABASE_URL (or DATABASE_URL) to the schema owner's connection")
        }
        let migrator = PGMigrator(migrations: try PGMigration.load(from: settings.migrationsDirectory()), logger: logger)
        let connection = try await PGConnection.connect(PGConnectionConfiguration(url, applicationName: "redress-migrate"))
        defer { connection.close() }
        if status {
            let report = try await migrator.status(connection)
            print("applied: \(report.applied.map(String.init).joined(separator: " "))")
            print("pending: \(report.pending.map(String.init).joined(separator: " "))")
            print("changed: \(report.changed.map(String.init).joined(separator: " "))")
            if !report.isCurrent { throw ExitCode(1) }
            return
        }
        let applied = try await migrator.migrate(connection)
        print(applied.isEmpty ? "already current" : "applied \(applied.map(String.init).joined(separator: ", "))")
    }
}
