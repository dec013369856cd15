/// Options for `withTransaction`.
public struct PGTransactionOptions: Sendable {
    /// The isolation level of a transaction.
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// The isolation level; nil keeps the server's default (READ COMMITTED).
    public var isolation: IsolationLevel?
    /// Whether the transaction may only read.
    public var readOnly: Bool
    /// Statements run first in the transaction, one statement each, sent with its BEGIN and its
    /// first statement in one round trip, each in a message of its own (also when the first
    /// statement is a script): fixed SQL text the caller built and quoted itself (`SET LOCAL …`),
    /// never input.
    public var setup: [String]

    /// A statement with bound parameters run after the setup, prepared and kept like any other
    /// (so its values never become SQL text): settings made with `set_config(…, true)`.
    public var preparedSetup: PGQuery?

    /// Creates options; the defaults are the server's default isolation, read-write, no setup.
    public init(isolation: IsolationLevel? = nil, readOnly: Bool = false, setup: [String] = [], preparedSetup: PGQuery? = nil) {
        self.isolation = isolation
        self.readOnly = readOnly
        self.setup = setup
        self.preparedSetup = preparedSetup
    }

    /// BEGIN with the options, then the setup.
    var beginStatements: [String] {
        var sql = "BEGIN"
        if let isolation { sql += " ISOLATION LEVEL \(isolation.rawValue)" }
        if readOnly { sql += " READ ONLY" }
        return [sql] + setup
    }
}

extension PGConnection {
    /// Runs `body` inside a transaction: COMMIT when it returns, ROLLBACK when it throws
    /// (or when the task is cancelled, or the options' setup fails).
    ///
    /// The BEGIN and the setup are not sent at once: they go with the body's first statement, in
    /// one round trip (pipeline mode). A body that runs nothing opens no transaction; one that ends
    /// with `commit(after:)` has committed already.
    public func withTransaction<R>(
        _ options: PGTransactionOptions = PGTransactionOptions(),
        _ body: (PGConnection) async throws -> R
    ) async throws -> R {
        pendingBegin = options.beginStatements
        pendingSetup = options.preparedSetup
        committedEarly = false
        defer {
            pendingBegin = nil
            pendingSetup = nil
            committedEarly = false
        }
        let result: R
        do {
            result = try await body(self)
        } catch {
            pendingBegin = nil
            pendingSetup = nil
            await rollbackQuietly()
            throw error
        }
        // Nothing ran (so nothing began), or the last statements went with the COMMIT.
        if pendingBegin != nil || committedEarly { return result }
        do {
            try await executeScript("COMMIT")
        } catch {
            await rollbackQuietly()
            throw error
        }
        return result
    }

    /// Runs `body` inside a savepoint of the current transaction: released when it returns,
    /// rolled back to when it throws, leaving the outer transaction usable.
    public func withSavepoint<R>(_ body: (PGConnection) async throws -> R) async throws -> R {
        savepointCounter += 1
        let name = "redress_sp_\(savepointCounter)"
        try await executeScript("SAVEPOINT \(name)")
        do {
            let result = try await body(self)
            try await executeScript("RELEASE SAVEPOINT \(name)")
            return result
        } catch {
            try? await executeScriptIgnoringCancellation("ROLLBACK TO SAVEPOINT \(name)")
            throw error
        }
    }

    /// Rolls back, even when the current task is cancelled; errors are ignored because a broken
    /// connection is discarded by the pool anyway.
    func rollbackQuietly() async {
        guard isInTransaction else { return }
        try? await executeScriptIgnoringCancellation("ROLLBACK")
    }
}
