import ArgumentParser
import Foundation
import LocalPostgres
import Logging

/// `redress local-db start|stop|status`: manages a private PostgreSQL cluster in a folder, for
/// development and for the test command.
struct LocalDatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local-db",
        abstract: "Manage a private local PostgreSQL cluster.",
        subcommands: [Start.self, Stop.self, Status.self])

    struct Location: ParsableArguments {
        @Option(help: "The cluster's folder (default: $REDRESS_DATA_DIR/postgres, or .redress/postgres).")
        var directory: String?

        var cluster: LocalCluster {
            let base = ProcessInfo.processInfo.environment["REDRESS_DATA_DIR"] ?? ".redress"
            let path = directory ?? base + "/postgres"
            return LocalCluster(directory: URL(fileURLWithPath: path), fastUnsafe: fast)
        }

        @Flag(help: "Trade durability for speed (fsync off); for throwaway test clusters.")
        var fast = false
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (first time) and start the cluster.")
        @OptionGroup var location: Location
        @Flag(help: "Print shell exports of the owner, service, scheduler and superuser URLs.")
        var printEnv = false

        func run() throws {
            let cluster = location.cluster
            try cluster.start()
            if printEnv {
                print("export OWNER_DATABASE_URL='\(cluster.ownerURL)'")
                print("export DATABASE_URL='\(cluster.serviceURL)'")
                print("export SCHEDULER_DATABASE_URL='\(cluster.schedulerURL)'")
                print("export SUPERUSER_DATABASE_URL='\(cluster.superuserURL)'")
                print("export REDRESS_PG_SOCKET_DIR='\(cluster.socketDirectory.path)'")
            } else {
                print("running; service role: \(cluster.serviceURL)")
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster.")
        @OptionGroup var location: Location
        func run() throws { try location.cluster.stop() }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Exit 0 when the cluster runs.")
        @OptionGroup var location: Location
        func run() throws {
            let running = try location.cluster.isRunning()
            print(running ? "running" : "stopped")
            if !running { throw ExitCode(1) }
        }
    }
}
