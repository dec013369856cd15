import CLibPQ
import Foundation
import NIOConcurrencyHelpers

/// One PostgreSQL connection, driven through libpq.
///
/// Every libpq call that can wait on the network runs on the connection's own thread
/// (`PGConnectionThread`), never on Swift's cooperative threads. A connection serves one task at a
/// time: the pool lends it inside a closure, and it must not escape that closure. Cancelling the
/// task that runs a statement sends a cancel request to the server (from a thread of its own, for
/// that statement only), and the connection stays usable afterwards. A statement with no answer
/// within the response timeout breaks the connection instead of waiting on the network.
public final class PGConnection: @unchecked Sendable {
    let handle: OpaquePointer
    /// The thread all of this connection's libpq calls run on.
    let thread: PGConnectionThread
    let configuration: PGConnectionConfiguration
    /// The running statement and the requests to stop it.
    let control: PGStatementControl
    private let closeState = NIOLockedValueBox(false)
    /// Prepared statements of this connection (a new connection starts with none).
    var statements: PGStatementCache
    var savepointCounter = 0
    /// A transaction's BEGIN and settings, not sent yet: they go with its first statement.
    var pendingBegin: [String]?
    /// The transaction's prepared setup statement, not sent yet: it goes after `pendingBegin`.
    var pendingSetup: PGQuery?
    /// True once the current transaction was committed with its last statements (`commit(after:)`).
    var committedEarly = false
    /// How many times this connection has sent a request and waited for its answer.
    public internal(set) var roundTrips = 0
    /// When a pool retires this connection (its lifetime is over); nil for never.
    var retireAt: ContinuousClock.Instant?

    private init(handle: OpaquePointer, thread: PGConnectionThread, configuration: PGConnectionConfiguration) {
        self.handle = handle
        self.thread = thread
        self.configuration = configuration
        self.statements = PGStatementCache(capacity: configuration.statementCacheCapacity)
        self.control = PGStatementControl(cancel: PQgetCancel(handle), socket: PQsocket(handle))
    }

    deinit { close() }

    /// Opens a connection with a thread of its own for its blocking work.
    public static func connect(_ configuration: PGConnectionConfiguration) async throws -> PGConnection {
        let thread = PGConnectionThread(name: "pg-connection")
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

    /// True when the connection may be lent again: open, and no statement overran its response
    /// timeout or left a cancel request undelivered.
    var isReusable: Bool { isOpen && !control.isBroken && PQpipelineStatus(handle) == PQ_PIPELINE_OFF }

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
    func runBlocking<T: Sendable>(statements: Int = 1, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        guard !committedEarly else {
            throw PGError(.protocolViolation, message: "a statement after commit(after:): the transaction is over")
        }
        do {
            return try await runStatement(body, cancellable: true, statements: statements)
        } catch let error as PGError where error.sqlState == .queryCanceled && Task.isCancelled {
            throw CancellationError()
        }
    }

    /// Runs `body` as one statement on the connection's thread, under the connection's response
    /// timeout (times `statements`, for a pipeline of them); a cancellable one is cancelled on the
    /// server when the task is.
    func runStatement<T: Sendable>(_ body: @escaping @Sendable () throws -> T, cancellable: Bool, statements: Int = 1) async throws -> T {
        let id = control.reserve()
        let statement: @Sendable () throws -> T = { [self] in
            guard control.start(id) else { throw CancellationError() }
            let deadline = configuration.responseTimeout.map { timeout in
                PGDeadlines.shared.schedule(at: .now + timeout * max(1, statements)) { [control] in control.expire(id) }
            }
            defer {
                if let deadline { PGDeadlines.shared.withdraw(deadline) }
                control.finish(id, wait: .seconds(max(2, configuration.connectTimeoutSeconds)))
            }
            do {
                return try body()
            } catch let error as PGError where control.hasExpired && error.isConnectionLevel {
                throw PGError(.connectionClosed, message: "no answer from the server within the response timeout",
                              sqlState: error.sqlState, query: error.query)
            }
        }
        guard cancellable else { return try await thread.perform(statement) }
        return try await withTaskCancellationHandler {
            try await thread.perform(statement)
        } onCancel: { [control] in
            control.requestCancel(id)
        }
    }

    /// Closes the connection. Pooled connections are closed by their pool; using a connection
    /// after closing it is an error.
    public func close() {
        let closedNow = closeState.withLockedValue { closed -> Bool in
            defer { closed = true }
            return !closed
        }
        guard closedNow else { return }
        control.close()
        PQfinish(handle)
        thread.stop()
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
