import ArgumentParser
import Foundation

/// The connections and migrations a benchmark works with.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The schema owner's connection (env OWNER_DATABASE_URL).")
    var ownerURL: String?

    @Option(help: "The service role's connection (env DATABASE_URL).")
    var serviceURL: String?

    @Option(help: "The migrations folder.")
    var sqlDirectory = "sql"

    /// Both connection strings, from the flags or the environment.
    func urls() throws -> (owner: String, service: String) {
        let environment = ProcessInfo.processInfo.environment
        guard let owner = ownerURL ?? environment["OWNER_DATABASE_URL"],
              let service = serviceURL ?? environment["DATABASE_URL"] else {
            throw ValidationError("pass --owner-url and --service-url (or set OWNER_DATABASE_URL and DATABASE_URL)")
        }
        return (owner, service)
    }
}
