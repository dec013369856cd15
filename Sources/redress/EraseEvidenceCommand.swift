import ArgumentParser
import Foundation
import Logging
import Postgres
import RedressStore

/// `redress retention erase-evidence --branch B --evidence E`: erases one piece of evidence's
/// content now, as the owner (`OWNER_DATABASE_URL`); its size and SHA-256 stay, and the erasure
/// is on the complaint's timeline and in the audit trail.
struct EraseEvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase-evidence", abstract: "Erase one piece of evidence's content, keeping its hash (uses OWNER_DATABASE_URL).")

    @Option(help: "The branch's id.")
    var branch: String

    @Option(help: "The evidence's id.")
    var evidence: String

    func run() async throws {
        try await reportingDatabaseErrors(erase)
    }

    private func erase() async throws {
        guard let branchID = UUID(uuidString: branch), let evidenceID = UUID(uuidString: evidence) else {
            throw ValidationError("--branch and --evidence take ids (UUIDs)")
        }
        let settings = try Settings()
        settings.bootstrapLogging()
        let logger = Logger(label: "redress.retention")
        let database = try DatabaseTarget.resolve(settings, logger: logger)
        guard let url = database.ownerURL else {
            throw SettingsError("set OWNER_DATABASE_URL to the schema owner's connection (only operators erase evidence)")
        }
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(url, applicationName: "redress-erase-evidence"), maximumConnections: 1), logger: logger)
        let erased: Bool
        do {
            erased = try await RetentionStore(pool: pool).eraseEvidence(branchID: branchID, evidenceID: evidenceID)
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
        guard erased else {
            print("no evidence \(evidenceID.uuidString.lowercased()) in branch \(branchID.uuidString.lowercased())")
            throw ExitCode(1)
        }
        print("erased the content of evidence \(evidenceID.uuidString.lowercased()); its SHA-256 stays")
    }
}
