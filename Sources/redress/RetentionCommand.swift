import ArgumentParser
import Foundation
import Logging
import Postgres
import RedressStore

/// `redress retention [--dry-run]`: archives closed complaints older than `ARCHIVE_AFTER_DAYS` and
/// erases the personal data of those closed more than `RETENTION_DAYS` ago, now (the scheduler
/// does the same every hour), as the scheduler role; `--dry-run` lists what would change and
/// changes nothing. `redress retention erase-evidence` erases one piece of evidence's content.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention", abstract: "Archive closed complaints and erase expired personal data (or list them with --dry-run).",
        subcommands: [Apply.self, EraseEvidenceCommand.self], defaultSubcommand: Apply.self)

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply", abstract: "Archive and erase what is due now (uses SCHEDULER_DATABASE_URL).")

        @Flag(help: "List what would be archived or erased; change nothing.")
        var dryRun = false

        func run() async throws {
            try await reportingDatabaseErrors(apply)
        }

        private func apply() async throws {
            let settings = try Settings()
            settings.bootstrapLogging()
            let logger = Logger(label: "redress.retention")
            let database = try DatabaseTarget.resolve(settings, logger: logger)
            guard let url = database.schedulerURL else {
                throw SettingsError("set SCHEDULER_DATABASE_URL to the scheduler role's connection (redress_scheduler)")
            }
            let pool = PGPool(configuration: PGPoolConfiguration(
                connection: PGConnectionConfiguration(url, applicationName: "redress-retention"), maximumConnections: 1),
                logger: logger)
            let actions: [RetentionStore.Action]
            do {
                actions = try await RetentionStore(pool: pool).apply(settings.retention, dryRun: dryRun)
            } catch {
                await pool.shutdown()
                throw error
            }
            await pool.shutdown()
            let format = ISO8601DateFormatter()
            for action in actions {
                print("\(dryRun ? "would " : "")\(action.action) \(action.caseNumber) (branch \(action.branchID.uuidString.lowercased()), closed \(format.string(from: action.closedAt)))")
            }
            let erased = actions.filter { $0.action == "erase" }.count
            print("\(dryRun ? "would archive" : "archived") \(actions.count - erased), \(dryRun ? "would erase" : "erased") \(erased)")
        }
    }
}
