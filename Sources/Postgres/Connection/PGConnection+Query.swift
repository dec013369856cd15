import CLibPQ

extension PGConnection {
    /// Runs a statement and returns its rows (decoded lazily, in binary format).
    @discardableResult
    public func query(_ query: PGQuery) async throws -> PGRows {
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
        try await runBlocking { [self] in
            let result = PQexec(handle, sql)
            _ = try checked(result, sql: sql)
        }
    }

    /// Runs clean-up SQL (ROLLBACK) even when the current task is already cancelled.
    func executeScriptIgnoringCancellation(_ sql: String) async throws {
        try await thread.perform { [self] in _ = try checked(PQexec(handle, sql), sql: sql) }
    }

    /// Runs one statement synchronously; must be called on the thread pool.
    func executeBlocking(_ query: PGQuery, prepared: Bool) throws -> PGResultBox {
        guard prepared else {
            let result = query.binds.withUnsafeParameters { count, types, values, lengths, formats in
                PQexecParams(handle, query.sql, count, types, values, lengths, formats, 1)
            }
            return try checked(result, sql: query.sql)
        }
        // Usually a statement is always bound with the same types; a different set gets its own key.
        var key = query.sql
        if let existing = preparedStatements[key], existing.types != query.binds.types {
            key = query.binds.typeSignature + "|" + query.sql
        }
        let name: String
        if let existing = preparedStatements[key] {
            name = existing.name
        } else {
            name = "redress_\(preparedStatements.count + 1)"
            let result = query.binds.withUnsafeParameters { count, types, _, _, _ in
                PQprepare(handle, name, query.sql, count, types)
            }
            _ = try checked(result, sql: query.sql)
            preparedStatements[key] = (name, query.binds.types)
        }
        let result = query.binds.withUnsafeParameters { count, _, values, lengths, formats in
            PQexecPrepared(handle, name, count, values, lengths, formats, 1)
        }
        do {
            return try checked(result, sql: query.sql)
        } catch let error as PGError where error.sqlState == .featureNotSupported && !isInTransaction {
            // "cached plan must not change result type": the schema changed; prepare afresh.
            preparedStatements[key] = nil
            _ = try checked(PQexec(handle, "DEALLOCATE \(name)"), sql: "DEALLOCATE")
            return try executeBlocking(query, prepared: true)
        }
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
        return PGError(code, message: message, sqlState: state, detail: field("D"), hint: field("H"),
                       constraint: field("n"), table: field("t"), column: field("c"), query: sql)
    }
}
