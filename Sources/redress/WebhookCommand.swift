import ArgumentParser
import Foundation
import RedressStore

/// `redress webhook personal-data`: what only operators decide about a branch's webhooks (as the
/// schema owner).
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Decide what a branch's webhooks may receive (as the schema owner).",
        subcommands: [PersonalData.self])

    struct PersonalData: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "personal-data",
            abstract: "Grant an events webhook the complainant's name and contacts in each event, or take them back.")

        @Option(help: "The events webhook's id.")
        var webhook: String
        @Flag(help: "Take the grant back.")
        var revoke = false

        func run() async throws {
            let settings = try Settings()
            settings.bootstrapLogging()
            let changed = try await OperatorOutput.refusing {
                guard let id = UUID(uuidString: webhook) else { throw OperatorRefusal("--webhook", "is not a webhook id") }
                return try await OperatorDatabase.withOwnerPool(settings, application: "webhook") { pool in
                    try await FeedGrants(ownerPool: pool).setPersonalData(webhook: id, granted: !revoke)
                }
            }
            print(revoke
                  ? "The events webhook at \(changed.url) (\(changed.branchCode)) receives no personal data from now on."
                  : "The events webhook at \(changed.url) (\(changed.branchCode)) receives the complainant's name and contacts from now on.")
        }
    }
}
