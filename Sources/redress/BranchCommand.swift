import ArgumentParser
import Foundation
import RedressStore

/// `redress branch create|list`: adds a branch with its first admin, or lists the branches, as
/// the schema owner (`OWNER_DATABASE_URL`, or the local cluster's).
struct BranchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "branch", abstract: "Add branches and list them (as the schema owner).",
        subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a branch with its categories, calendar and SLA policies, and its first admin.",
            discussion: """
                Prints the admin's one-time password once. The admin must replace it at the first sign-in \
                (POST /v1/me/password) and then configures the branch through the API.
                """)

        @Option(help: "The branch code people sign in with: 2-32 lowercase letters, digits or hyphens.")
        var code: String
        @Option(help: "The branch's name.")
        var name: String
        @Option(name: .customLong("time-zone"), help: "The IANA time zone its working hours and deadlines are counted in, e.g. Asia/Shanghai.")
        var timeZone: String
        @Option(help: "The region reports group it under.")
        var region: String = ""
        @Option(name: .customLong("admin-login"), help: "The first admin's login.")
        var adminLogin: String = "admin"
        @Option(name: .customLong("admin-name"), help: "The first admin's name.")
        var adminName: String = "Branch administrator"
        @Option(name: .customLong("admin-email"), help: "The first admin's email address.")
        var adminEmail: String?

        func run() async throws {
            let settings = try Settings()
            settings.bootstrapLogging()
            let new = BranchOnboarding.NewBranch(code: code, name: name, region: region, timeZone: timeZone,
                                                 adminLogin: adminLogin, adminName: adminName, adminEmail: adminEmail)
            let created = try await OperatorOutput.refusing {
                try await OperatorDatabase.withOwnerPool(settings, application: "branch") { pool in
                    try await BranchOnboarding(ownerPool: pool, passwordHashCost: settings.passwordHashCost).create(new)
                }
            }
            let branch = created.branch
            print("""
                Created branch \(branch.code) (\(branch.name)), id \(branch.id.uuidString.lowercased()), \
                time zone \(branch.timeZone)\(branch.region.isEmpty ? "" : ", region \(branch.region)").
                Its first admin signs in with
                  branch: \(branch.code)
                  login: \(created.adminLogin)
                  one-time password: \(created.oneTimePassword)
                This password is shown only now. It must be replaced at the first sign-in (POST /v1/me/password);
                until then the admin can do nothing else.
                """)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List every branch with its people and admins.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let settings = try Settings()
            settings.bootstrapLogging()
            let branches = try await OperatorDatabase.withOwnerPool(settings, application: "branch") { pool in
                try await BranchOnboarding(ownerPool: pool).list()
            }
            if json {
                print(try OperatorOutput.json(branches))
                return
            }
            print(OperatorOutput.table(
                ["CODE", "NAME", "REGION", "TIME ZONE", "PEOPLE", "DEPARTMENTS", "ADMINS", "ID"],
                branches.map { listed in
                    let branch = listed.branch
                    return [branch.code, branch.name, branch.region, branch.timeZone, String(listed.people), String(listed.departments),
                            listed.admins.isEmpty ? "-" : listed.admins.joined(separator: ","), branch.id.uuidString.lowercased()]
                }))
        }
    }
}
