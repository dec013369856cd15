import ArgumentParser
import Foundation
import Postgres
import RedressStore

/// `redress citus`: operator commands for a deployment sharded by branch on Citus
/// (`docs/scaling.md`).
struct CitusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citus", abstract: "Operate a database sharded by branch on Citus.",
        subcommands: [CitusDistributeCommand.self])
}

/// `redress citus distribute`: makes `branches` a reference table and distributes every tenant
/// table by `branch_id`, once, on a coordinator where `redress migrate` ran.
struct CitusDistributeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distribute",
        abstract: "Distribute every tenant table by branch_id on a Citus coordinator (uses CITUS_ADMIN_URL).")

    @Option(help: "A superuser's (or BYPASSRLS role's) connection to the coordinator's database; default CITUS_ADMIN_URL.")
    var url: String?

    @Flag(name: .customLong("print"), help: "Print the plan's statements and run nothing (works on plain PostgreSQL too).")
    var printOnly = false

    func run() async throws {
        try await reportingDatabaseErrors(distribute)
    }

    private func distribute() async throws {
        guard let url = url ?? ProcessInfo.processInfo.environment["CITUS_ADMIN_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("give --url or set CITUS_ADMIN_URL to a superuser's connection to the coordinator")
        }
        let connection = try await PGConnection.connect(PGConnectionConfiguration(url, applicationName: "redress-citus"))
        defer { connection.close() }
        do {
            try await distribute(on: connection)
        } catch let error as CitusDistributionError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func distribute(on connection: PGConnection) async throws {
        let plan = try await CitusDistribution.plan(on: connection)
        if printOnly {
            for blocker in try await CitusDistribution.blockers(on: connection) {
                print("-- not ready: the policy \(blocker) holds a sub-select, which Citus refuses")
            }
            if plan.resumed { print("-- the steps a run that stopped left (public.citus_distribution_plan)") }
            for setting in CitusDistribution.sessionSetup { print("\(setting);") }
            for step in plan.steps { print("-- \(step.purpose)\n\(step.sql);") }
            return
        }
        if plan.steps.isEmpty && !plan.resumed {
            print("already distributed: public.branches (reference) and \(plan.tenantTables.count) tables by branch_id")
            return
        }
        if plan.resumed { print("taking up the \(plan.steps.count) steps a run that stopped left") }
        try await plan.run(on: connection) { step in print(step.purpose) }
        print("distributed: public.branches (reference) and \(plan.tenantTables.count) tables by branch_id, colocated with complaints")
    }
}
