import ArgumentParser
import Foundation
import Logging
import Postgres
import RedressStore

/// `redress audit verify`: recomputes every branch's audit hash chain as the schema owner and
/// names the first entry where each broken chain stops matching; exits 1 when any does.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check the tamper-evident audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Verify every branch's audit hash chain (uses OWNER_DATABASE_URL); print each chain's newest hash to keep as an anchor.")

        func run() async throws {
            try await reportingDatabaseErrors(verify)
        }

        private func verify() async throws {
            let settings = try Settings()
            settings.bootstrapLogging()
            guard let url = settings.ownerDatabaseURL else {
                throw SettingsError("set OWNER_DATABASE_URL to the schema owner's connection (the service role cannot read every branch)")
            }
            let pool = PGPool(configuration: PGPoolConfiguration(
                connection: PGConnectionConfiguration(url, applicationName: "redress-audit"), maximumConnections: 1),
                logger: Logger(label: "redress.audit"))
            let result: (chains: [AuditStore.Chain], breaks: [AuditStore.Break])
            do {
                result = try await AuditStore(pool: pool).verify()
            } catch {
                await pool.shutdown()
                throw error
            }
            await pool.shutdown()
            for chain in result.chains {
                print("branch \(chain.branchID.uuidString.lowercased()): \(chain.sealed) sealed, \(chain.unsealed) not yet sealed, newest hash \(chain.tipHash ?? "-")")
            }
            for broken in result.breaks {
                print("BROKEN branch \(broken.branchID.uuidString.lowercased()) at entry \(broken.seq) (id \(broken.id)): \(broken.problem)")
            }
            if result.breaks.isEmpty {
                print("every chain holds")
            } else {
                throw ExitCode(1)
            }
        }
    }
}
