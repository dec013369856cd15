import Postgres

extension CitusDistribution {
    /// Runs the plan on a Citus coordinator, each step in its own transaction, reporting each
    /// before it runs. Refuses, before changing anything, without Citus, without the rights the
    /// steps need, while other sessions use the database (foreign keys and triggers are off
    /// between the first step and the last), while a policy holds what Citus refuses, and while
    /// an events webhook is active.
    public func run(on connection: PGConnection, before: (Step) -> Void) async throws {
        guard try await Self.citusVersion(on: connection) != nil else { throw CitusDistributionError.noCitus }
        let rights = try await connection.query("""
            SELECT r.rolsuper OR (r.rolbypassrls AND pg_has_role(r.oid, c.relowner, 'USAGE') AND pg_has_role(r.oid, d.datdba, 'USAGE'))
              FROM pg_roles r, pg_class c, pg_database d
             WHERE r.rolname = current_user AND c.oid = 'public.complaints'::regclass AND d.datname = current_database()
            """)
        guard try rights.first?.decode(Bool.self, at: 0) == true else { throw CitusDistributionError.missingRights }
        let others: [String] = try await connection.query("""
            SELECT DISTINCT coalesce(nullif(application_name, ''), usename::text) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            """).map { try $0.decode(at: 0) }
        guard others.isEmpty else { throw CitusDistributionError.inUse(others.sorted()) }
        let blockers = try await Self.blockers(on: connection)
        guard blockers.isEmpty else { throw CitusDistributionError.schemaNotReady(blockers) }
        let feeds = try await Self.activeEventFeeds(on: connection)
        guard feeds.isEmpty else { throw CitusDistributionError.eventFeeds(feeds) }
        try await runSteps(on: connection, before: before)
    }

    /// Runs the steps, recording what is left in `public.citus_distribution_plan` (each step
    /// removes its row in its own transaction), so that a run that stops is taken up where it
    /// stopped by the next; the record goes when the last step is done.
    func runSteps(on connection: PGConnection, before: (Step) -> Void) async throws {
        for setting in Self.sessionSetup { try await connection.executeScript(setting) }
        if !resumed {
            try await connection.withTransaction { connection in
                try await connection.executeScript("""
                    CREATE TABLE public.citus_distribution_plan (position integer PRIMARY KEY, sql text NOT NULL, purpose text NOT NULL)
                    """)
                for (position, step) in steps.enumerated() {
                    try await connection.query("""
                        INSERT INTO public.citus_distribution_plan (position, sql, purpose) VALUES (\(Int32(position)), \(step.sql), \(step.purpose))
                        """)
                }
            }
        }
        let left = try await connection.query("SELECT position, sql, purpose FROM public.citus_distribution_plan ORDER BY position")
            .map { (position: try $0.decode(Int32.self, at: 0), step: Step(sql: try $0.decode(at: 1), purpose: try $0.decode(at: 2))) }
        for (index, entry) in left.enumerated() {
            before(entry.step)
            do {
                try await connection.executeScript("""
                    BEGIN; \(entry.step.sql); DELETE FROM public.citus_distribution_plan WHERE position = \(entry.position); COMMIT
                    """)
            } catch let error as PGError {
                try? await connection.executeScript("ROLLBACK")
                throw CitusDistributionError.stepFailed(entry.step, error.message, left: left[index...].map(\.step))
            }
        }
        try await connection.executeScript("DROP TABLE public.citus_distribution_plan")
    }

    /// The active events webhooks, as `branch code: webhook id`: their feed's position is a
    /// transaction id of one node and its batches are ordered by id, neither of which holds on
    /// Citus (docs/scaling.md), so the schema is not distributed while one is active.
    public static func activeEventFeeds(on connection: PGConnection) async throws -> [String] {
        try await connection.query("""
            SELECT b.code || ': ' || w.id FROM webhooks w JOIN branches b ON b.id = w.branch_id
             WHERE w.kind = 'events' AND w.active ORDER BY 1
            """).map { try $0.decode(at: 0) }
    }

    /// What Citus would refuse half-way through the plan, found before anything changes: the
    /// policies holding a sub-select once their scope functions are called directly (`Subqueries
    /// are not supported in policies on distributed tables`), as `table.policy`.
    public static func blockers(on connection: PGConnection) async throws -> [String] {
        try await policies(on: connection).filter { policy in
            [policy.using, policy.check].compactMap { $0 }.contains { direct($0).range(of: #"\bselect\b"#, options: [.regularExpression, .caseInsensitive]) != nil }
        }.map(\.label)
    }
}

/// Why `redress citus distribute` stopped.
public enum CitusDistributionError: Error, CustomStringConvertible {
    case noCitus
    case notMigrated
    case missingRights
    case inUse([String])
    case schemaNotReady([String])
    case eventFeeds([String])
    case stepFailed(CitusDistribution.Step, String, left: [CitusDistribution.Step])

    public var description: String {
        switch self {
        case .noCitus:
            return "this database has no citus extension: run `CREATE EXTENSION citus` on the coordinator and add the workers first"
        case .notMigrated:
            return "this database has no Redress schema: run `redress migrate` against it first (as the owner)"
        case .missingRights:
            return "connect as a superuser, or as the schema's owner given BYPASSRLS: the steps alter the owner's tables and "
                + "database, and Citus copies existing rows with COPY, which row-level security refuses"
        case let .inUse(sessions):
            return "other sessions use this database (\(sessions.joined(separator: ", "))): stop the service, the schedulers and "
                + "every other client first; foreign keys and triggers are off while the plan runs. Nothing was changed"
        case let .schemaNotReady(blockers):
            return "the schema is not ready for Citus (docs/scaling.md, \"Rules for SQL\"); nothing was changed. "
                + "\(blockers.count) policies hold sub-selects, which Citus refuses: \(blockers.prefix(5).joined(separator: ", "))"
                + (blockers.count > 5 ? ", …" : "")
        case let .eventFeeds(webhooks):
            return "\(webhooks.count) events webhooks are active (\(webhooks.prefix(5).joined(separator: ", "))\(webhooks.count > 5 ? ", …" : "")); "
                + "the event feed is not supported on Citus (docs/scaling.md): deactivate them first "
                + "(PATCH /v1/webhooks/{id} {\"active\": false}). Nothing was changed"
        case let .stepFailed(step, message, left):
            return "\(step.purpose) failed: \(message)\nnothing of that step was kept; once the cause is fixed, run "
                + "`redress citus distribute` again to take up these \(left.count) steps (public.citus_distribution_plan):\n"
                + left.map { "  \($0.sql);" }.joined(separator: "\n")
        }
    }
}
