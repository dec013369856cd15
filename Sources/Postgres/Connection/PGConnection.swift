import CLibPQ
import Foundation
import NIOConcurrencyHelpers

/// One PostgreSQL connection, driven through libpq.
///
/// Every libpq call that can wait on the network runs on the connection's own thread
/// (`PGConnectionThread`), never on Swift's cooperative threads. A connection serves one task at a
/// time: the pool lends it inside a closure, and it must not escape that closure. Cancelling the
/// task that runs a statement sends a cancel request to the server, and the connection stays
/// usable afterwards.
public final class PGConnection: @unchecked Sendable {
    let handle: OpaquePointer
    /// The thread all of this connection's libpq calls run on.
    let thread: PGConnectionThread
    let configuration: PGConnectionConfiguration
    private let cancelState: NIOLockedValueBox<CancelState>
    /// Prepared statements of this connection, keyed by SQL text and parameter types.
    var preparedStatements: [String: (name: String, types: [UInt32])] = [:]
    var savepointCounter = 0
    /// When the pool last handed this connection back; used by health checks.
    var lastUsed = ContinuousClock.now

    private struct CancelState {
        var cancel: OpaquePointer?
        var running = false
        var cancelRequested = false
        var closed = false
    }

    private init(handle: OpaquePointer, thread: PGConnectionThread, configuration: PGConnectionConfiguration) {
        self.handle = handle
        self.thread = thread
        self.configuration = configuration
        self.cancelState = NIOLockedValueBox(CancelState(cancel: PQgetCancel(handle)))
    }

    deinit { close() }

    /// Opens a connection with a thread of its own for its blocking work.
    public static func connect(_ configuration: PGConnectionConfiguration) async throws -> PGConnection {
        let thread = PGConnectionThread(name: "postgres-connection")
        do {
            return try await thread.run { try connectBlocking(configuration, thread: thread) }
        } catch {
            thread.stop()
            throw error
        }
    }

    static func connectBlocking(_ configuration: PGConnectionConfiguration, thread: PGConnectionThread) throws -> PGConnection {
        let handle = configuration.openHandle()
        guard let handle else {
            throw PGError(.connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PGError(.connectionFailed, message: message)
        }
        PQsetNoticeReceiver(handle, { _, _ in }, nil)
        return PGConnection(handle: handle, thread: thread, configuration: configuration)
    }

    /// The server's process id for this connection (what `pg_backend_pid()` returns).
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// True while libpq considers the connection healthy.
    public var isOpen: Bool { PQstatus(handle) == CONNECTION_OK }

    /// True when the connection is inside a transaction block (open or failed).
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Checks, without a round trip, that an idle connection has not been closed by the server.
    ///
    /// A server that shuts down or terminates the backend sends a message or closes the socket;
    /// either makes the socket readable while no statement is running.
    public func isAliveWhileIdle() -> Bool {
        guard isOpen else { return false }
        let socket = PQsocket(handle)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready == 0 { return true }
        if ready < 0 { return false }
        // Something arrived while idle: let libpq read it (a notification is harmless).
        guard PQconsumeInput(handle) == 1 else { return false }
        return isOpen && descriptor.revents & Int16(POLLHUP | POLLERR) == 0
    }

    /// Runs `body` as the one statement of this connection on its thread (directly, when the
    /// caller already runs there), forwarding task cancellation to the server as a cancel request.
    func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        do {
            return try await runBlockingCancellable(body)
        } catch let error as PGError where error.sqlState == .queryCanceled && Task.isCancelled {
            throw CancellationError()
        }
    }

    private func runBlockingCancellable<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let statement: @Sendable () throws -> T = { [self] in
            try cancelState.withLockedValue { state in
                if state.cancelRequested {
                    state.cancelRequested = false
                    throw CancellationError()
                }
                state.running = true
            }
            defer {
                cancelState.withLockedValue { state in
                    state.running = false
                    state.cancelRequested = false
                }
            }
            return try body()
        }
        return try await withTaskCancellationHandler {
            try await thread.perform(statement)
        } onCancel: {
            requestCancel()
        }
    }

    /// Asks the server to cancel the statement now running on this connection, if any.
    func requestCancel() {
        cancelState.withLockedValue { state in
            state.cancelRequested = true
            guard state.running, let cancel = state.cancel else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancel, &buffer, Int32(buffer.count))
        }
    }

    /// Closes the connection. Pooled connections are closed by their pool; using a connection
    /// after closing it is an error.
    public func close() {
        let closedNow = cancelState.withLockedValue { state -> Bool in
            guard !state.closed else { return false }
            if let cancel = state.cancel { PQfreeCancel(cancel) }
            state.cancel = nil
            state.closed = true
            PQfinish(handle)
            return true
        }
        if closedNow { thread.stop() }
    }

    /// The current libpq error message, trimmed.
    var lastErrorMessage: String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = duplicates.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
