import Foundation
import Postgres
import RedressStore

/// The scale benchmark's data set: branches coded `scl-…` of six departments, each with a head and
/// a handler per department and a branch manager, and `perBranch` complaints in each, drawn as the
/// report benchmark draws them (a year of them, a fifth still open). Each complaint gets what
/// intake writes beside it (its timeline entry, its hand-over and the acknowledgement sent to the
/// complainant), and a closed one the entry of its result and the message telling it, with the
/// audit trail on (by statement, as in production), so that the timelines, the messages and the
/// audit trail grow with the complaints; the open ones get the work queue benchmark's working
/// state. A real closed complaint's timeline holds more steps than these, so the bytes per
/// complaint are a lower bound.
///
/// Topping up to a larger total adds branches (coded `scl-<branches before>-<n>`) with complaints
/// of their own, so that every branch holds about as many complaints at every size, as a company
/// grows by branches: a branch's report reads as many complaints at ten million as at one. A load
/// stopped part-way and run again goes on filling the branches added last.
struct ScaleBenchData {
    let owner: PGPool
    let perBranch: Int

    static let prefix = "scl-"

    /// The branches `total` complaints fill: at least 20.
    func branches(for total: Int) -> Int { max(20, total / perBranch) }

    /// Adds the branches `total` needs and tops the complaints up to `total` in the new branches
    /// (in all of them when none is new), then counts the branches loaded into again for reports
    /// (each batch marks its branches for it) and vacuums.
    func prepare(total: Int) async throws {
        try await owner.withConnection { connection in
            let before: Int = try await connection.query("SELECT count(*) FROM branches WHERE code LIKE \(Self.prefix + "%")")[0]
                .decode(at: 0)
            let added = branches(for: total) - before
            let stage = added > 0 ? "\(Self.prefix)\(before)-" : try await Self.newestStage(connection)
            if added > 0 { try await BenchBranches.create(prefix: stage, count: added, connection) }
            try await WorkQueueBenchData.addStaff(prefix: Self.prefix, connection)
            try await connection.execute("""
                INSERT INTO users (branch_id, login, name, roles, password_hash)
                SELECT b.id, 'wq-manager', 'Branch manager', '{branch_manager}', \(try await PasswordHasher.hash(WorkQueueBenchData.password, cost: 4))
                  FROM branches b WHERE b.code LIKE \(Self.prefix + "%") ON CONFLICT DO NOTHING
                """)
            // Each branch's messaging gateway, which delivered the complainants' messages.
            try await connection.execute("""
                INSERT INTO webhooks (branch_id, kind, url, secret)
                SELECT b.id, 'gateway', 'https://gateway.example/messages', repeat('s', 32)
                  FROM branches b
                 WHERE b.code LIKE \(Self.prefix + "%") AND NOT EXISTS (SELECT FROM webhooks w WHERE w.branch_id = b.id AND w.kind = 'gateway')
                """)
            let others: Int = try await connection.query("""
                SELECT count(*) FROM branches WHERE code LIKE 'rep-%' OR code LIKE 'esc-%' OR code LIKE 'bench-%'
                """)[0].decode(at: 0)
            // Bytes per complaint are measured over the whole database, so no other benchmark's data may be in it.
            guard others == 0 else { throw BenchError("the database holds another benchmark's branches: measure scale on a database of its own") }
            var existing: Int = try await connection.query("""
                SELECT count(*) FROM complaints c JOIN branches b ON b.id = c.branch_id WHERE b.code LIKE \(Self.prefix + "%")
                """)[0].decode(at: 0)
            // A run stopped after its batches left their branches marked: they are counted again first.
            guard existing < total else { return try await Self.countMarkedBranches(connection) }
            try await connection.executeScript("CREATE TEMPORARY TABLE IF NOT EXISTS bench_new (branch_id uuid NOT NULL, id uuid NOT NULL, handler uuid)")
            let started = ContinuousClock.now
            while existing < total {
                let batch = min(100_000, total - existing), after = existing
                FileHandle.standardError.write(Data("adding \(batch) complaints (\(after) so far, \(started.duration(to: .now)))…\n".utf8))
                // One transaction a batch, so that a failed batch leaves neither complaints without
                // their entries nor triggers switched off; its checks immediate, since a table with
                // checks pending cannot have its triggers switched.
                try await connection.withTransaction { connection in
                    try await connection.executeScript("""
                        SET CONSTRAINTS ALL IMMEDIATE;
                        TRUNCATE bench_new;
                        ALTER TABLE complaints DISABLE TRIGGER complaints_milestones;
                        ALTER TABLE complaints DISABLE TRIGGER report_counts_taken;
                        """)
                    // The insert is audited; the state's updates are not (the triggers that derive are off for them).
                    try await connection.execute(ReportBenchData.insert(after: after, count: batch, prefix: stage,
                                                                         keepingIDsIn: "bench_new"))
                    // The batch's statements join its complaints to the complaints, then to their
                    // departments and handlers. Estimated from a temporary table with no statistics
                    // and a join on a computed login, the planner joined the batch to every department
                    // of its branch first and looked each pair up in the complaints: once the table
                    // outgrew memory, most of a batch's time. So the joins run in the order written.
                    try await connection.executeScript("""
                        ALTER TABLE complaints ENABLE TRIGGER complaints_milestones;
                        ALTER TABLE complaints ENABLE TRIGGER report_counts_taken;
                        ANALYZE bench_new;
                        SET LOCAL join_collapse_limit = 1;
                        """)
                    try await WorkQueueBenchData.addWorkingState(to: "bench_new", connection)
                    // After the working state: the entries copy the complaint's visibility (department,
                    // collaborators, handler), which the state sets with the triggers that carry it over off.
                    try await connection.executeScript("""
                        -- Each complaint's handler, the actor of what follows: its department's.
                        UPDATE bench_new n SET handler = h.handler
                          FROM (SELECT m.branch_id, m.id, u.id AS handler
                                  FROM bench_new m JOIN complaints c ON c.branch_id = m.branch_id AND c.id = m.id
                                  JOIN departments d ON d.branch_id = c.branch_id AND d.id = c.department_id
                                  JOIN users u ON u.branch_id = c.branch_id AND u.login = 'wq-handler-' || d.kind) h
                         WHERE h.branch_id = n.branch_id AND h.id = n.id;
                        -- The update left a second version of every row: counted from the pages, the batch looked twice
                        -- its size, and the planner read every complaint to join it (four times a batch) rather than
                        -- looking its complaints up.
                        ANALYZE bench_new;
                        INSERT INTO complaint_events (branch_id, complaint_id, at, actor_id, actor_roles, kind, after,
                                                      case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                        SELECT c.branch_id, c.id, c.received_at, n.handler, '{handler}', 'received',
                               jsonb_build_object('status', 'received', 'caseNumber', c.case_number, 'channel', c.channel,
                                                  'categoryId', c.category_id::text, 'departmentId', c.department_id::text,
                                                  'level', c.level::text, 'nature', c.nature, 'priority', c.priority, 'repeatOf', NULL),
                               c.department_id, c.collaborating_department_ids, c.responsible_user_id
                          FROM bench_new n JOIN complaints c ON c.branch_id = n.branch_id AND c.id = n.id;
                        -- A closed complaint's result fed back, which the reports count.
                        INSERT INTO complaint_events (branch_id, complaint_id, at, actor_id, actor_roles, kind, before, after,
                                                      case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                        SELECT c.branch_id, c.id, c.result_met_at, n.handler, '{handler}', 'feed_back_result',
                               '{"status": "implementing"}', '{"status": "closed"}',
                               c.department_id, c.collaborating_department_ids, c.responsible_user_id
                          FROM bench_new n JOIN complaints c ON c.branch_id = n.branch_id AND c.id = n.id
                         WHERE c.status = 'closed' AND c.result_met_at IS NOT NULL;
                        INSERT INTO complaint_handovers (branch_id, complaint_id, at, to_department_id, by_user_id, reason,
                                                         case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                        SELECT c.branch_id, c.id, c.received_at, c.department_id, n.handler, 'routing rule at intake',
                               c.department_id, c.collaborating_department_ids, c.responsible_user_id
                          FROM bench_new n JOIN complaints c ON c.branch_id = n.branch_id AND c.id = n.id;
                        """)
                    // Counted with the complaints once loaded (the fold below counts the marked branches again), not logged one by one.
                    try await connection.executeScript("ALTER TABLE complainant_messages DISABLE TRIGGER message_counts_taken")
                    try await connection.executeScript(Self.messages(to: "bench_new"))
                    try await connection.executeScript("""
                        ALTER TABLE complainant_messages ENABLE TRIGGER message_counts_taken;
                        -- Until the fold below counts them again, reports of these branches read every complaint and message,
                        -- so that a run stopped between here and there leaves no counts short.
                        INSERT INTO report_count_recounts (branch_id) SELECT DISTINCT branch_id FROM bench_new ON CONFLICT DO NOTHING;
                        """)
                }
                existing += batch
            }
            try await connection.executeScript("DROP TABLE bench_new")
            FileHandle.standardError.write(Data("counting the complaints for reports (\(started.duration(to: .now)))…\n".utf8))
            try await Self.countMarkedBranches(connection)
            try await connection.executeScript("VACUUM ANALYZE")
            FileHandle.standardError.write(Data("\(existing) complaints ready after \(started.duration(to: .now))\n".utf8))
        }
    }

    /// The code prefix of the branches added last (`scl-<branches before>-`): a load stopped
    /// part-way and run again goes on filling them, rather than spreading what is left over every
    /// branch.
    static func newestStage(_ connection: PGConnection) async throws -> String {
        let before: Int? = try await connection.query("""
            SELECT max(split_part(code, '-', 2)::integer) FROM branches WHERE code LIKE \(prefix + "%-%")
            """)[0].decode(at: 0)
        return before.map { "\(prefix)\($0)-" } ?? prefix
    }

    /// Counts the branches marked for it (`report_count_recounts`) again for reports, by the fold;
    /// fails when some stay marked, since their reports would then read every row.
    static func countMarkedBranches(_ connection: PGConnection) async throws {
        _ = try await connection.query("SELECT reports.fold_counts()")
        let marked: Int = try await connection.query("SELECT count(*)::integer FROM report_count_recounts")[0].decode(at: 0)
        guard marked == 0 else {
            throw BenchError("\(marked) branches wait to be counted again for reports: another fold of the counts was running")
        }
    }

    /// What the complainants of the complaints in `table` (with their `handler`) were told, as intake and the result
    /// tell them: the acknowledgement a minute after intake and, for a closed complaint, its result,
    /// each a message delivered through the branch's gateway five seconds after it was written and
    /// the outbound communication it is recorded as on the case.
    static func messages(to table: String) -> String {
        """
        WITH told AS MATERIALIZED (
            SELECT c.branch_id, c.id AS complaint_id, n.handler AS actor, w.id AS gateway, m.event, m.kind, m.milestone, m.at,
                   CASE WHEN c.channel IN ('email', 'web') THEN 'email' ELSE 'sms' END AS channel,
                   c.department_id, c.collaborating_department_ids, c.responsible_user_id,
                   public.uuid_v7() AS communication_id, public.uuid_v7() AS message_id
              FROM \(table) n JOIN complaints c ON c.branch_id = n.branch_id AND c.id = n.id
              JOIN webhooks w ON w.branch_id = c.branch_id AND w.kind = 'gateway'
             CROSS JOIN LATERAL (VALUES ('received', 'confirmation', 'acknowledge', c.received_at + interval '1 minute'),
                                        ('result', 'result_feedback', NULL, c.result_met_at)) m (event, kind, milestone, at)
             WHERE m.event = 'received' OR (c.status = 'closed' AND c.result_met_at IS NOT NULL)
        ), logged AS (
            INSERT INTO complaint_communications (branch_id, id, complaint_id, at, direction, channel, kind, content, recorded_by,
                                                  case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT branch_id, communication_id, complaint_id, at, 'outbound', channel, kind,
                   CASE event WHEN 'received' THEN 'We have received your complaint and will reply within the time promised.'
                              ELSE 'Your complaint has been resolved; the result is attached to your case.' END,
                   actor, department_id, collaborating_department_ids, responsible_user_id
              FROM told
        )
        INSERT INTO complainant_messages (branch_id, id, complaint_id, event, channel, language, recipient, communication_id, webhook_id,
                                          milestone, state, attempts, created_by, created_at, delivered_at, finished_at,
                                          case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT branch_id, message_id, complaint_id, event, channel, 'zh-Hans',
               CASE channel WHEN 'sms' THEN '+86 1****' || right(complaint_id::text, 4) ELSE 'c****@example.com' END,
               communication_id, gateway, milestone, 'delivered', 1, actor, at, at + interval '5 seconds', at + interval '5 seconds',
               department_id, collaborating_department_ids, responsible_user_id
          FROM told;
        """
    }

    /// Bytes on disk per complaint, by group of tables and in all: each group's tables with their
    /// TOAST and indexes, and how many of those bytes are the indexes'.
    func footprint() async throws -> (complaints: Int, perComplaint: [(group: String, bytes: Double, inIndexes: Double)]) {
        let count: Int = try await owner.query("SELECT count(*) FROM complaints")[0].decode(at: 0)
        let tables = try await owner.query("""
            SELECT c.oid::regclass::text, pg_total_relation_size(c.oid), pg_indexes_size(c.oid)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
               AND n.nspname NOT LIKE 'pg_temp%'
            """).map { (name: try $0.decode(String.self, at: 0), bytes: try $0.decode(Int.self, at: 1), inIndexes: try $0.decode(Int.self, at: 2)) }
        let groups: [(String, Set<String>)] = [
            ("complaints", ["complaints"]), ("timeline and hand-overs", ["complaint_events", "complaint_handovers"]),
            ("audit trail", ["audit_log"]), ("report and message counts", ["report_counts", "message_counts"]),
            ("messages and communications", ["complainant_messages", "complaint_communications"]),
        ]
        let grouped = groups.flatMap(\.1)
        func perComplaint(_ group: String, _ member: (String) -> Bool) -> (group: String, bytes: Double, inIndexes: Double) {
            let chosen = tables.filter { member($0.name) }
            let each = { (bytes: Int) in Double(bytes) / Double(max(count, 1)) }
            return (group, each(chosen.map(\.bytes).reduce(0, +)), each(chosen.map(\.inIndexes).reduce(0, +)))
        }
        return (count, groups.map { group in perComplaint(group.0) { group.1.contains($0) } }
                    + [perComplaint("everything else") { !grouped.contains($0) }, perComplaint("all tables") { _ in true }])
    }
}
