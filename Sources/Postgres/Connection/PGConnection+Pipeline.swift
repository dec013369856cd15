import CLibPQ

extension PGConnection {
    /// Runs `queries` in one round trip (libpq's pipeline mode) and returns their rows in order.
    ///
    /// The statements are sent together and answered together: none may depend on another's
    /// result. A failing statement aborts the ones after it, and its error is thrown; outside a
    /// transaction the statements run as one implicit transaction, so none of them is kept (and,
    /// unlike ``query(_:)``, a statement whose cached plan changed is not run again). The response
    /// timeout counts once per statement.
    @discardableResult
    public func pipeline(_ queries: [PGQuery]) async throws -> [PGRows] {
        try await sendTogether(queries, thenCommit: false)
    }

    /// Runs `queries` and the COMMIT of the current transaction in one round trip, and returns
    /// the queries' rows: the transaction's last statements, answered with its outcome. The
    /// enclosing `withTransaction` sends no COMMIT of its own afterwards, and any statement the
    /// body sends after this fails (it would run outside the transaction).
    @discardableResult
    public func commit(after queries: [PGQuery]) async throws -> [PGRows] {
        guard pendingBegin != nil || isInTransaction else {
            throw PGError(.protocolViolation, message: "commit(after:) outside a transaction")
        }
        let rows = try await sendTogether(queries, thenCommit: true)
        committedEarly = true
        return rows
    }

    /// Sends the transaction's deferred BEGIN (if any), `queries` and, when asked, COMMIT, as one
    /// pipeline; the BEGIN is taken off the connection first, so a failure leaves nothing pending.
    func sendTogether(_ queries: [PGQuery], thenCommit: Bool) async throws -> [PGRows] {
        let prepared = configuration.usePreparedStatements
        let begin = (pendingBegin ?? []).map(PGPipelineItem.text) + (pendingSetup.map { [PGPipelineItem.query($0, prepared: prepared)] } ?? [])
        pendingBegin = nil
        pendingSetup = nil
        let items = begin + queries.map { PGPipelineItem.query($0, prepared: prepared) } + (thenCommit ? [PGPipelineItem.text("COMMIT")] : [])
        let results = try await runBlocking(statements: items.count) { [self] in try executePipelineBlocking(items) }
        return Array(results.dropFirst(begin.count).prefix(queries.count)).map(PGRows.init(result:))
    }

    /// Sends `items` in pipeline mode with one sync, reads every answer, and returns one result
    /// per item, or throws the first error (closing the results read). On the connection's thread.
    ///
    /// The statements and their answers are small, so writing them all before reading cannot fill
    /// both sides' buffers: libpq's blocking mode is safe here.
    func executePipelineBlocking(_ items: [PGPipelineItem]) throws -> [PGResultBox] {
        flushDeallocations()
        guard PQenterPipelineMode(handle) == 1 else {
            throw PGError(isOpen ? .protocolViolation : .connectionClosed, message: lastErrorMessage)
        }
        // What each answer read off the wire is: a prepared statement's preparation, or an item's result.
        var commands: [(item: Int, preparing: (key: String, name: String, types: [UInt32])?)] = []
        for (index, item) in items.enumerated() {
            let sent: Int32
            switch item {
            case .text(let sql):
                sent = PQsendQueryParams(handle, sql, 0, nil, nil, nil, nil, 1)
            case .query(let query, prepared: false):
                sent = query.binds.withUnsafeParameters { count, types, values, lengths, formats in
                    PQsendQueryParams(handle, query.sql, count, types, values, lengths, formats, 1)
                }
            case .query(let query, prepared: true):
                let statement = preparedStatement(query)
                if statement.isNew {
                    let preparing = query.binds.withUnsafeParameters { count, types, _, _, _ in
                        PQsendPrepare(handle, statement.name, query.sql, count, types)
                    }
                    guard preparing == 1 else { return try abandonPipeline() }
                    commands.append((index, (statement.key, statement.name, query.binds.types)))
                }
                sent = query.binds.withUnsafeParameters { count, _, values, lengths, formats in
                    PQsendQueryPrepared(handle, statement.name, count, values, lengths, formats, 1)
                }
            }
            guard sent == 1 else { return try abandonPipeline() }
            commands.append((index, nil))
        }
        guard PQpipelineSync(handle) == 1, PQflush(handle) == 0 else { return try abandonPipeline() }
        countRoundTrip()

        var answers: [OpaquePointer?] = []
        for _ in commands {
            var answer: OpaquePointer?
            while let result = PQgetResult(handle) {
                if let answer { PQclear(answer) }
                answer = result
            }
            answers.append(answer)
        }
        let sync = PQgetResult(handle)
        let synced = sync.map { PQresultStatus($0) == PGRES_PIPELINE_SYNC } ?? false
        if let sync { PQclear(sync) }
        guard synced, PQexitPipelineMode(handle) == 1 else {
            // The answers stopped short of the sync: the connection went away under the pipeline.
            answers.forEach { if let answer = $0 { PQclear(answer) } }
            control.markBroken()
            throw PGError(.connectionClosed, message: "the pipeline's answers stopped short: \(lastErrorMessage)")
        }

        var results: [PGResultBox] = []
        for (position, command) in commands.enumerated() {
            let sql = items[command.item].sql
            do {
                if let answer = answers[position], PQresultStatus(answer) == PGRES_PIPELINE_ABORTED {
                    PQclear(answer)
                    answers[position] = nil
                    throw PGError(.server, message: "not run: an earlier statement of its pipeline failed", query: sql)
                }
                let result = try checked(answers[position], sql: sql)
                answers[position] = nil
                if let preparing = command.preparing {
                    statements.insert(preparing.key, name: preparing.name, types: preparing.types)
                } else {
                    results.append(result)
                }
            } catch var error as PGError {
                answers[(position + 1)...].forEach { if let answer = $0 { PQclear(answer) } }
                if error.sqlState == .featureNotSupported || error.sqlState == .invalidSQLStatementName { statements.invalidateAll() }
                if error.code == .server && error.sqlState == nil || error.code == .protocolViolation {
                    // The server gives every error a SQLSTATE: one without came from libpq, which lost the connection.
                    control.markBroken()
                    error.code = .connectionClosed
                }
                throw error
            }
        }
        return results
    }

    /// The prepared statement `query` runs as: its cache key (usually a statement is always bound
    /// with the same types; a different set gets its own key) and name, a fresh one when it is new
    /// (to be recorded in the cache once the server has prepared it).
    func preparedStatement(_ query: PGQuery) -> (key: String, name: String, isNew: Bool) {
        var key = query.sql
        if let existing = statements.peek(key), existing.types != query.binds.types {
            key = query.binds.typeSignature + "|" + query.sql
        }
        if let cached = statements.lookup(key) { return (key, cached.name, false) }
        return (key, statements.nextName(), true)
    }

    /// A statement could not be sent: the connection is broken, and is left so (the pool discards it).
    private func abandonPipeline<T>() throws -> T {
        let message = lastErrorMessage
        control.markBroken()
        throw PGError(.connectionClosed, message: message.isEmpty ? "the pipeline could not be sent" : message)
    }
}
