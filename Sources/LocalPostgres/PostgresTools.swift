import Foundation

/// Where the PostgreSQL server programs are: the folder `pg_config --bindir` names, else `PATH`.
struct PostgresTools: Sendable {
    let initdb: String
    let pgctl: String
    let psql: String
    let pgBaseBackup: String

    static func locate() throws -> PostgresTools {
        var folders: [String] = []
        if let bindir = try? ProcessRunner.capture("pg_config", ["--bindir"]) { folders.append(bindir) }
        // Debian keeps the server programs out of PATH, in one folder per major version.
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            folders += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        }
        folders += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        func find(_ name: String) throws -> String {
            for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
                return folder + "/" + name
            }
            throw LocalClusterError("\(name) not found; install PostgreSQL (apt-get install -y postgresql)")
        }
        return PostgresTools(initdb: try find("initdb"), pgctl: try find("pg_ctl"), psql: try find("psql"),
                             pgBaseBackup: try find("pg_basebackup"))
    }
}

/// A failure to create, start or stop the local cluster, with a message for the operator.
public struct LocalClusterError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
