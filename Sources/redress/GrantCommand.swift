import ArgumentParser
import Foundation
import RedressCore
import RedressStore

/// `redress grant add|remove|list`: executives' and auditors' reach into other branches, which
/// only operators change (as the schema owner). A grant names its role and gives nothing while
/// its holder is deactivated or no longer holds that role.
struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant", abstract: "Give executives and auditors reach into other branches (as the schema owner).",
        subcommands: [Add.self, Remove.self, List.self])

    /// The role a grant is made for.
    enum GrantRole: String, ExpressibleByArgument, CaseIterable {
        case executive, auditor
        var role: Role { self == .executive ? .executive : .auditor }
    }

    /// The person a grant is for, as `<branch code>/<login>`.
    struct Holder: ExpressibleByArgument {
        var reference: HQGrants.PersonReference
        init?(argument: String) {
            guard let reference = HQGrants.PersonReference(argument) else { return nil }
            self.reference = reference
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Grant a person of one branch their role in another branch (read-only there).")

        @Option(help: "The person, as <branch code>/<login>, e.g. north/lee.")
        var user: Holder
        @Option(help: "The code of the branch they may see.")
        var branch: String
        @Option(help: "The role the grant is for: executive or auditor.")
        var role: GrantRole
        @Flag(name: .customLong("add-role"), help: "Give the person the role too when they do not hold it yet.")
        var addRole = false

        func run() async throws {
            let settings = try Settings()
            settings.bootstrapLogging()
            let granted = try await OperatorOutput.refusing {
                try await OperatorDatabase.withOwnerPool(settings, application: "grant") { pool in
                    try await HQGrants(ownerPool: pool, passwordHashCost: settings.passwordHashCost)
                        .add(user.reference, grantedCode: branch, role: role.role, addRole: addRole)
                }
            }
            let grant = granted.grant
            if granted.roleAdded { print("\(user.reference) now holds the \(grant.role) role.") }
            print("\(user.reference) may now see \(grant.grantedBranch) as \(grant.role) (read-only). "
                  + "Their branch's admins can no longer change them; operators manage them from now on.")
            if let password = granted.oneTimePassword {
                print("""
                    This is their first grant: their sessions have ended and their password is replaced, since their
                    branch's admin may have known it. Hand them this one-time password, shown only now; they must
                    replace it at their next sign-in:
                      one-time password: \(password)
                    """)
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Take back a person's grant in a branch.")

        @Option(help: "The person, as <branch code>/<login>.")
        var user: Holder
        @Option(help: "The code of the branch the grant reaches.")
        var branch: String

        func run() async throws {
            let settings = try Settings()
            settings.bootstrapLogging()
            try await OperatorOutput.refusing {
                try await OperatorDatabase.withOwnerPool(settings, application: "grant") { pool in
                    try await HQGrants(ownerPool: pool).remove(user.reference, grantedCode: branch)
                }
            }
            print("\(user.reference) no longer sees \(branch).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List grants, all or those touching one branch.")

        @Option(help: "Only grants held by people of this branch or reaching it.")
        var branch: String?
        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let settings = try Settings()
            settings.bootstrapLogging()
            let grants = try await OperatorOutput.refusing {
                try await OperatorDatabase.withOwnerPool(settings, application: "grant") { pool in
                    try await HQGrants(ownerPool: pool).list(branchCode: branch)
                }
            }
            if json {
                print(try OperatorOutput.json(grants))
                return
            }
            let formatter = ISO8601DateFormatter()
            print(OperatorOutput.table(
                ["HOLDER", "NAME", "ROLE", "BRANCH", "GRANTED", "IN EFFECT"],
                grants.map { grant in
                    ["\(grant.holderBranch)/\(grant.holderLogin)", grant.holderName, grant.role, grant.grantedBranch,
                     formatter.string(from: grant.grantedAt), grant.inEffect ? "yes" : "no (holder inactive or without the role)"]
                }))
        }
    }
}
