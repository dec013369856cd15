import CLibPQ

extension PGConnection {
    /// Runs a statement and returns its rows (decoded lazily, in binary format).
    @discardableResult
    public func query(_ query: PGQuery) async throws -> PGRows {
        if pendingBegin != nil { return try await sendTogether([query], thenCommit: false)[0] }
        let prepared = configuration.usePreparedStatements
        return try await runBlocking { [self] in
            PGRows(result: try executeBlocking(query, prepared: prepared))
        }
    }

    /// Runs a statement and returns how many rows it affected.
    @discardableResult
    public func execute(_ query: PGQuery) async throws -> Int {
        try await self.query(query).affectedRows
    }

    /// Runs SQL text that may hold several statements, without parameters and unprepared
    /// (the simple query protocol). For migrations and fixed administrative statements.
    public func executeScript(_ sql: String) async throws {
        // A deferred BEGIN and setup go first, each in a message of its own (one pipeline): a
        // script may hold settings that must arrive apart from them (see `CitusPresence`).
        if pendingBegin != nil {
            _ = try await sendTogether([], thenCommit: false)
        }
        try await runBlocking { [self] in
            flushDeallocations()
            countRoundTrip()
            let result = PQexec(handle, sql)
            _ = try checked(result, sql: sql)
        }
    }

    /// Runs clean-up SQL (ROLLBACK) even when the current task is already cancelled.
    func executeScriptIgnoringCancellation(_ sql: String) async throws {
        try await runStatement({ [self] in
            countRoundTrip()
            _ = try checked(PQexec(handle, sql), sql: sql)
        }, cancellable: false)
    }

    /// Runs one statement synchronously, on the connection's thread.
    ///
    /// A prepared statement that the server no longer accepts (`0A000`, e.g. "cached plan must not
    /// change result type" after a schema change, or `26000`, gone) empties this connection's
    /// statement cache whatever the transaction state, so every later statement is prepared afresh
    /// under a new name. Outside a transaction a changed result type is retried once; everything
    /// else, and anything inside a transaction, is thrown (the pool's `withTransaction` runs such a
    /// transaction once more).
    func executeBlocking(_ query: PGQuery, prepared: Bool) throws -> PGResultBox {
        guard prepared else {
            countRoundTrip()
            let result = query.binds.withUnsafeParameters { count, types, values, lengths, formats in
                PQexecParams(handle, query.sql, count, types, values, lengths, formats, 1)
            }
            return try checked(result, sql: query.sql)
        }
        do {
            return try executePrepared(query)
        } catch let error as PGError where error.isCachedPlanChange && !isInTransaction {
            return try executePrepared(query)
        }
    }

    private func executePrepared(_ query: PGQuery) throws -> PGResultBox {
        flushDeallocations()
        let statement = preparedStatement(query)
        if statement.isNew {
            countRoundTrip()
            let result = query.binds.withUnsafeParameters { count, types, _, _, _ in
                PQprepare(handle, statement.name, query.sql, count, types)
            }
            _ = try checked(result, sql: query.sql)
            statements.insert(statement.key, name: statement.name, types: query.binds.types)
        }
        countRoundTrip()
        let result = query.binds.withUnsafeParameters { count, _, values, lengths, formats in
            PQexecPrepared(handle, statement.name, count, values, lengths, formats, 1)
        }
        do {
            return try checked(result, sql: query.sql)
        } catch let error as PGError where error.sqlState == .featureNotSupported || error.sqlState == .invalidSQLStatementName {
            statements.invalidateAll()
            throw error
        }
    }

    /// Frees the server's copies of evicted or invalidated statements, only outside a transaction
    /// (so a failure cannot abort one) and ignoring errors (a statement already gone is fine).
    func flushDeallocations() {
        guard PQtransactionStatus(handle) == PQTRANS_IDLE, let sql = statements.takeDeallocation() else { return }
        countRoundTrip()
        PQclear(PQexec(handle, sql))
    }

    /// Turns a libpq result into a `PGResultBox`, or throws the error it carries.
    func checked(_ result: OpaquePointer?, sql: String) throws -> PGResultBox {
        guard let result else {
            throw PGError(isOpen ? .protocolViolation : .connectionClosed, message: lastErrorMessage, query: sql)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResultBox(result)
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
            let error = serverError(result, sql: sql)
            PQclear(result)
            throw error
        default:
            let status = String(cString: PQresStatus(PQresultStatus(result)))
            PQclear(result)
            throw PGError(.protocolViolation, message: "unexpected result status \(status)", query: sql)
        }
    }

    private func serverError(_ result: OpaquePointer, sql: String) -> PGError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let state = field("C").map(PGSQLState.init(rawValue:))
        let message = field("M") ?? String(cString: PQresultErrorMessage(result))
        let code: PGError.Code = state == nil && !isOpen ? .connectionClosed : .server
        var error = PGError(code, message: message, sqlState: state, detail: field("D"), hint: field("H"),
                            constraint: field("n"), table: field("t"), column: field("c"), query: sql)
        error.routine = field("R")
        return error
    }
}
