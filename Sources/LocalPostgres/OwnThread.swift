import Foundation

/// Blocking work (waiting for a child process, `pg_ctl` or a standby) run on a thread of its own,
/// so that no thread of Swift's concurrency pool waits with it: on two cores that pool has two
/// threads, and every task of the process, an HTTP server's handlers included, runs on them.
public enum OwnThread {
    /// Runs `body` on a new thread named `name` (Linux keeps 15 bytes of it); returns its result or
    /// throws its error.
    public static func run<T: Sendable>(_ name: String = "redress-wait", _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = name
            thread.start()
        }
    }
}
