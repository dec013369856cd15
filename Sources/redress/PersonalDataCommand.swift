import ArgumentParser
import Foundation
import Logging
import Postgres
import RedressStore

/// `redress pii`: the keys that seal customer personal data. `new-keys` prints a fresh key ring
/// (or adds a key to the configured one, for rotation); `status` counts rows per key; `rotate`
/// re-seals every row under an older key, or still in the clear, with the current key.
struct PersonalDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pii", abstract: "Manage the keys that seal customer personal data.",
        subcommands: [NewKeys.self, Status.self, Rotate.self])

    struct NewKeys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-keys",
            abstract: "Print PII_KEYS, PII_KEY_ID and PII_INDEX_KEY: a fresh ring, or the configured one with a new current key added.")

        @Option(help: "The new key's id.")
        var keyID = "k\(Int(Date().timeIntervalSince1970))"

        func run() throws {
            let settings = try Settings()
            if settings.personalDataKeySettings != nil {
                print(try settings.personalDataKeys().rotating(to: keyID).settingsText, terminator: "")
            } else {
                print(PersonalDataKeys.generate(keyID: keyID).settingsText, terminator: "")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Count complaints, and messages waiting for the gateway, per sealing key (uses OWNER_DATABASE_URL).")

        func run() async throws {
            try await reportingDatabaseErrors {
                try await withStore { store, keys in
                    let census = try await store.census()
                    for (keyID, rows) in census.sorted(by: { $0.key < $1.key }) {
                        print("\(keyID == "clear" ? "not sealed" : "key " + keyID): \(rows)\(keyID == keys.currentKeyID ? " (current)" : "")")
                    }
                    if census.isEmpty { print("no personal data stored") }
                    for (keyID, messages) in try await store.waitingMessages().sorted(by: { $0.key < $1.key }) {
                        print("messages waiting for the gateway under key \(keyID): \(messages)")
                    }
                }
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Re-seal every complaint under an older key (or in the clear) with the current key (uses OWNER_DATABASE_URL).")

        @Flag(help: "Only count what would be re-sealed.")
        var dryRun = false

        @Option(help: "Rows per transaction.")
        var batch = 500

        func run() async throws {
            try await reportingDatabaseErrors {
                try await withStore { store, keys in
                    let result = try await store.reseal(batch: batch, dryRun: dryRun)
                    print("\(dryRun ? "would re-seal" : "re-sealed") \(result.resealed) complaints with key \(keys.currentKeyID)")
                    if result.unreadable > 0 {
                        print("\(result.unreadable) complaints are sealed with a key that is not configured; add it to PII_KEYS and run again")
                        throw ExitCode(1)
                    }
                }
            }
        }
    }

    /// Runs `body` with the store on the owner's pool and the configured keys.
    static func withStore(_ body: (PersonalDataStore, PersonalDataKeys) async throws -> Void) async throws {
        let settings = try Settings()
        settings.bootstrapLogging()
        let logger = Logger(label: "redress.pii")
        let keys = try settings.personalDataKeys()
        let database = try DatabaseTarget.resolve(settings, logger: logger)
        guard let url = database.ownerURL ?? settings.ownerDatabaseURL else {
            throw SettingsError("set OWNER_DATABASE_URL to the schema owner's connection (the service role cannot reach every branch)")
        }
        let pool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(url, applicationName: "redress-pii"), maximumConnections: 1), logger: logger)
        do {
            try await body(PersonalDataStore(owner: pool, keys: keys), keys)
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }
}
