import Foundation
import Logging

/// Runs the PostgreSQL programs, as the `postgres` system user when the caller is root.
///
/// Programs are started with `posix_spawn` and reaped with `waitpid`; standard input and output
/// are files, never pipes, because `pg_ctl start` leaves a server running that would inherit a
/// pipe and hold it open for its whole life.
struct ProcessRunner: Sendable {
    static let systemUser = "postgres"
    let runAsPostgresUser: Bool
    let logger: Logger

    /// Gives `directory` to the system user when running as root, and checks it can reach it.
    func prepareOwnership(of directory: URL) throws {
        guard runAsPostgresUser else { return }
        try run("/bin/chown", ["-R", "\(Self.systemUser):\(Self.systemUser)", directory.path], asSystemUser: false)
        if try run("/usr/bin/test", ["-w", directory.path], allowFailure: true) != 0 {
            throw LocalClusterError("user \(Self.systemUser) cannot write \(directory.path); every folder above it must be searchable (chmod o+x)")
        }
    }

    /// Runs `executable` and returns its exit status; a non-zero status throws unless allowed.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], input: String? = nil,
             allowFailure: Bool = false, asSystemUser: Bool = true) throws -> Int32 {
        let command = runAsPostgresUser && asSystemUser
            ? ["/usr/sbin/runuser", "-u", Self.systemUser, "--", executable] + arguments
            : [executable] + arguments
        let (status, output) = try Subprocess.run(command, input: input ?? "")
        if status != 0 && !allowFailure {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw LocalClusterError("\(name) failed (exit \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return status
    }

    /// Runs a program found on PATH and returns its trimmed standard output.
    static func capture(_ program: String, _ arguments: [String]) throws -> String {
        let (status, output) = try Subprocess.run(["/usr/bin/env", program] + arguments, input: "")
        guard status == 0 else { throw LocalClusterError("\(program) failed") }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
