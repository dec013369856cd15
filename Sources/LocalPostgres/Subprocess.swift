import Foundation

/// Runs programs with `posix_spawn` and `waitpid`.
///
/// Standard input and output are files, never pipes: `pg_ctl start` leaves a server running that
/// would inherit a pipe and hold it open for its whole life. The child starts with an empty signal
/// mask and default handlers, because threads of this process block signals (pgbench's `-T`
/// timer is a SIGALRM that would otherwise never arrive).
public enum Subprocess {
    /// Runs `command` (absolute path first) with `input` on standard input; returns the exit
    /// status and the combined standard output and error.
    public static func run(_ command: [String], input: String = "") throws -> (status: Int32, output: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("redress-\(UUID().uuidString)")
        let outputPath = scratch.path + ".out", inputPath = scratch.path + ".in"
        FileManager.default.createFile(atPath: inputPath, contents: Data(input.utf8))
        defer {
            unlink(outputPath)
            unlink(inputPath)
        }
        let pid = try spawn(command, inputPath: inputPath, outputPath: outputPath)
        let status = try wait(pid, command: command[0])
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }

    /// Runs `command` as ``run(_:input:)`` does, waiting for it on a thread of its own
    /// (``OwnThread``).
    public static func run(_ command: [String], input: String = "") async throws -> (status: Int32, output: String) {
        try await OwnThread.run("redress-child") { try run(command, input: input) as (Int32, String) }
    }

    /// Starts `command` without waiting for it, with `environment` added to this process's, its
    /// output (and errors) going to `outputPath`; returns its process id.
    public static func spawn(_ command: [String], environment: [String: String] = [:], inputPath: String = "/dev/null",
                             outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments = command.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        let variables = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { variables.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, &attributes, arguments, variables)
        guard spawned == 0 else { throw LocalClusterError("cannot start \(command[0]): \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// Waits for `pid` to end; returns its exit status (128 + the signal when a signal ended it).
    public static func wait(_ pid: pid_t, command: String = "child") throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw LocalClusterError("waiting for \(command) failed") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
