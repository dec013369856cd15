import Foundation
import Logging

/// A private PostgreSQL cluster in a folder of its own, for development and tests.
///
/// `start()` creates the cluster on first use (`initdb`), starts it with `pg_ctl` listening only on
/// a Unix socket inside the folder, and creates the roles Redress uses: `redress_owner`, which
/// owns the `redress` database and runs migrations, `redress_service`, which the server logs in
/// as and which owns nothing, and `redress_scheduler`, which the background work logs in as. A
/// second start reuses the cluster. Authentication is `trust`, which is
/// safe only because the socket folder is private to the user running the server.
///
/// PostgreSQL refuses to run as root; when started by root, the cluster runs as the `postgres`
/// system user (created by Debian's `postgresql` package) and its folder is given to that user.
public struct LocalCluster: Sendable {
    /// The cluster's folder; the data directory, socket and log live below it.
    public let directory: URL
    /// The port number, which names the socket file. Default 5432 (no TCP port is opened).
    public let port: Int
    /// Whether to trade durability for speed (`fsync=off`), for throwaway test clusters.
    public let fastUnsafe: Bool
    let logger: Logger

    /// Describes a cluster in `directory`; nothing happens until `start()`.
    public init(directory: URL, port: Int = 5432, fastUnsafe: Bool = false, logger: Logger = Logger(label: "redress.cluster")) {
        self.directory = directory.standardizedFileURL
        self.port = port
        self.fastUnsafe = fastUnsafe
        self.logger = logger
    }

    /// The data directory.
    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    /// The folder holding the Unix socket.
    public var socketDirectory: URL { directory.appendingPathComponent("run") }
    /// The server log.
    public var logFile: URL { directory.appendingPathComponent("postgres.log") }

    /// The superuser created by `initdb`.
    public static let superuser = "redress_admin"
    /// The role that owns the schema and runs migrations.
    public static let ownerRole = "redress_owner"
    /// The role the server logs in as.
    public static let serviceRole = "redress_service"
    /// The role the scheduler (escalations, webhook delivery, audit sealing, retention) logs in as.
    public static let schedulerRole = "redress_scheduler"
    /// The application database.
    public static let databaseName = "redress"

    /// A libpq URL for `user` on `database` through the cluster's socket.
    public func url(user: String, database: String = LocalCluster.databaseName) -> String {
        let host = socketDirectory.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketDirectory.path
        return "postgresql://\(user)@/\(database)?host=\(host)&port=\(port)"
    }

    /// The URL the server uses (service role).
    public var serviceURL: String { url(user: Self.serviceRole) }
    /// The URL the scheduler uses (scheduler role).
    public var schedulerURL: String { url(user: Self.schedulerRole) }
    /// The URL migrations use (owner role).
    public var ownerURL: String { url(user: Self.ownerRole) }
    /// The superuser URL, for administration and tests.
    public var superuserURL: String { url(user: Self.superuser, database: "postgres") }

    /// Creates the cluster if needed, starts it if it is not running, and makes sure the roles and
    /// the database exist.
    public func start() throws {
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        try runner.prepareOwnership(of: directory)
        if !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            logger.info("creating a local PostgreSQL cluster", metadata: ["directory": "\(dataDirectory.path)"])
            try runner.run(tools.initdb, ["-D", dataDirectory.path, "-U", Self.superuser, "-A", "trust",
                                          "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"])
            try writeConfiguration()
            try runner.prepareOwnership(of: directory)
        }
        if try !isRunning(tools: tools, runner: runner) {
            try runner.run(tools.pgctl, ["-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60", "start"])
        }
        try bootstrap(tools: tools, runner: runner)
    }

    /// Stops the cluster (fast shutdown: open transactions roll back).
    public func stop() throws {
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        guard try isRunning(tools: tools, runner: runner) else { return }
        try runner.run(tools.pgctl, ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"])
    }

    /// Restarts the cluster, as an operator's `pg_ctl restart` would.
    public func restart() throws {
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        try runner.run(tools.pgctl, ["-D", dataDirectory.path, "-l", logFile.path, "-m", "fast", "-w", "restart"])
    }

    /// True when the cluster's postmaster is running.
    public func isRunning() throws -> Bool {
        try isRunning(tools: try PostgresTools.locate(), runner: ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger))
    }

    private func isRunning(tools: PostgresTools, runner: ProcessRunner) throws -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else { return false }
        return try runner.run(tools.pgctl, ["-D", dataDirectory.path, "status"], allowFailure: true) == 0
    }

    private func writeConfiguration() throws {
        var settings = [
            "listen_addresses = ''",
            "unix_socket_directories = '\(socketDirectory.path)'",
            "unix_socket_permissions = 0700",
            "port = \(port)",
            "max_connections = 400",
            "shared_buffers = 256MB",
            "log_min_messages = warning",
        ]
        if fastUnsafe {
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        }
        let file = dataDirectory.appendingPathComponent("postgresql.auto.conf")
        let existing = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        try (existing + settings.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    }

    /// Creates the roles and the database when missing, through `psql` as the superuser.
    private func bootstrap(tools: PostgresTools, runner: ProcessRunner) throws {
        let sql = """
            SELECT 'CREATE ROLE \(Self.ownerRole) LOGIN CREATEDB CREATEROLE'
              WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(Self.ownerRole)') \\gexec
            SELECT 'CREATE ROLE \(Self.serviceRole) LOGIN'
              WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(Self.serviceRole)') \\gexec
            SELECT 'CREATE ROLE \(Self.schedulerRole) LOGIN'
              WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(Self.schedulerRole)') \\gexec
            SELECT 'ALTER ROLE \(Self.schedulerRole) LOGIN'
              WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = '\(Self.schedulerRole)' AND NOT rolcanlogin) \\gexec
            SELECT 'CREATE DATABASE \(Self.databaseName) OWNER \(Self.ownerRole)'
              WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '\(Self.databaseName)') \\gexec
            """
        // \gexec only works in a script, so the statements go in on standard input.
        try runner.run(tools.psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", superuserURL, "-f", "-"], input: sql)
    }
}
