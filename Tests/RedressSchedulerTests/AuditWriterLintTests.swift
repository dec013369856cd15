import Foundation
import Postgres
import RedressTestSupport
import Testing

/// The audit triggers pass over statements run as `redress_audit_writer`
/// (`sql/0088_the_scheduler_writes_its_own_audit_entries.sql`), so whatever runs as the writer must
/// enter what it writes to an audited table itself, through `audit.record_rows`, or the trail loses
/// those changes. Read from the catalog: the functions the writer owns, and every function running
/// as its caller that they call, directly or through another.
@Suite("What runs as the audit writer enters its writes")
struct AuditWriterLintTests {
    /// Functions running as the writer whose writes need no entry of their own, with the reason.
    static let exempt = [
        "public.follow_case(uuid, uuid)":
            "sets only the copies of a case's visibility on its child rows, fields the trail leaves out (0024, 0033)",
    ]

    /// The functions running as the writer: those it owns, and every function running as its
    /// caller that they call or whose trigger their writes fire, directly or through another.
    static func runningAsWriter(_ connection: PGConnection) async throws -> [Function] {
        let functions = try await connection.query("""
            SELECT n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')', n.nspname::text, p.proname::text,
                   p.prosecdef, p.proowner = 'redress_audit_writer'::regrole, p.prosrc
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              JOIN pg_language l ON l.oid = p.prolang AND l.lanname IN ('plpgsql', 'sql')
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
            """).map { row in
            Function(signature: try row.decode(at: 0), schema: try row.decode(at: 1), name: try row.decode(at: 2),
                     definer: try row.decode(at: 3), ownedByWriter: try row.decode(at: 4), source: try row.decode(at: 5))
        }
        let triggers = Dictionary(grouping: try await connection.query("""
            SELECT c.relname::text, n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')'
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
              JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
            """).map { (table: try $0.decode(String.self, at: 0), function: try $0.decode(String.self, at: 1)) }, by: \.table)
            .mapValues { Set($0.map(\.function)) }
        var running = functions.filter(\.ownedByWriter)
        var seen = Set(running.map(\.signature))
        var next = 0
        while next < running.count {
            let caller = running[next]
            next += 1
            let fired = caller.writes().reduce(into: Set<String>()) { $0.formUnion(triggers[$1.table] ?? []) }
            for callee in functions where !callee.definer && !seen.contains(callee.signature)
                && (fired.contains(callee.signature) || caller.calls(callee)) {
                seen.insert(callee.signature)
                running.append(callee)
            }
        }
        return running
    }

    /// Each write to an audited table by `running` that its function does not enter through
    /// `audit.record_rows` (`function: action table`), and each function building its SQL at run
    /// time (`function: dynamic SQL`), which this reading cannot follow.
    static func unentered(by running: [Function], audited: Set<String>) -> [String] {
        var found: [String] = []
        for function in running where exempt[function.signature] == nil {
            if function.source.range(of: #"(?i)\bEXECUTE\s+(format\s*\(|'|\$|[a-z_])"#, options: .regularExpression) != nil {
                found.append("\(function.signature): dynamic SQL")
            }
            for (action, table) in function.writes() where audited.contains(table) {
                let entered = "audit.record_rows('\(table)', '\(action)'"
                if !function.source.contains(entered) { found.append("\(function.signature): \(action) \(table)") }
            }
        }
        return found.sorted()
    }

    /// The names the audit trail gives the audited tables.
    static func audited(_ connection: PGConnection) async throws -> Set<String> {
        Set(try await connection.query("SELECT name FROM audit.audited_tables()").map { try $0.decode(at: 0) })
    }

    /// A function as the catalog holds it.
    struct Function {
        let signature: String
        let schema: String
        let name: String
        let definer: Bool
        let ownedByWriter: Bool
        let source: String

        /// True when this function's source calls `other` by its qualified name (or, for `public`,
        /// which every function's search path holds, by its name alone).
        func calls(_ other: Function) -> Bool {
            let name = NSRegularExpression.escapedPattern(for: other.name)
            let qualified = #"(?i)\b"# + NSRegularExpression.escapedPattern(for: other.schema) + #"\."# + name + #"\s*\("#
            if source.range(of: qualified, options: .regularExpression) != nil { return true }
            return other.schema == "public" && source.range(of: #"(?i)(?<![\w.])"# + name + #"\s*\("#, options: .regularExpression) != nil
        }

        /// The tables of `public` this function's statements insert into, update or delete from.
        func writes() -> [(action: String, table: String)] {
            let pattern = try! NSRegularExpression(
                pattern: #"(?i)\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:ONLY\s+)?(?:public\.)?([a-z_][a-z0-9_]*)\b(?!\.)"#)
            let text = source as NSString
            return pattern.matches(in: source, range: NSRange(location: 0, length: text.length)).map { match in
                let verb = text.substring(with: match.range(at: 1)).lowercased()
                let action = verb.hasPrefix("insert") ? "insert" : verb.hasPrefix("update") ? "update" : "delete"
                return (action, text.substring(with: match.range(at: 2)).lowercased())
            }
        }
    }

    @Test func everyWriteAsTheWriterIsEntered() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withConnection { connection in
                let running = try await Self.runningAsWriter(connection)
                let signatures = Set(running.map(\.signature))
                #expect(signatures.isSuperset(of: ClaimAuditTests.claims + ["scheduler.page(uuid, uuid[], text[], uuid[])", "public.follow_case(uuid, uuid)"]),
                        "the claims and what they call: \(signatures.sorted())")
                let audited = try await Self.audited(connection)
                let writes = Set(running.flatMap { $0.writes() }.filter { audited.contains($0.table) }.map { "\($0.action) \($0.table)" })
                #expect(writes.isSuperset(of: ["update complaints", "insert escalations", "insert pages", "insert complaint_events"]),
                        "the writes read: \(writes.sorted())")
                let found = Self.unentered(by: running, audited: audited)
                #expect(found.isEmpty, "writes the trail would not hold: \(found)")
            }
        }
    }

    /// The reading finds a write left out, also one made by a function running as its caller that
    /// a function of the writer calls or whose trigger its writes fire, and dynamic SQL.
    @Test func theReadingFindsAWriteLeftOut() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withConnection { connection in
                try await connection.executeScript("""
                    BEGIN;
                    GRANT CREATE ON SCHEMA scheduler TO redress_audit_writer;
                    CREATE FUNCTION scheduler.lint_probe_moves(branch uuid) RETURNS void LANGUAGE plpgsql AS $$
                    BEGIN
                        UPDATE public.complaints SET priority = 'urgent' WHERE branch_id = branch;
                        EXECUTE format('DELETE FROM public.%I WHERE branch_id = $1', 'pages') USING branch;
                    END $$;
                    CREATE FUNCTION scheduler.lint_probe(branch uuid) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
                        SET search_path = pg_catalog, public, pg_temp AS $$
                    BEGIN
                        INSERT INTO complaint_events (branch_id, complaint_id, kind) SELECT branch, id, 'noted' FROM complaints;
                        PERFORM scheduler.lint_probe_moves(branch);
                    END $$;
                    ALTER FUNCTION scheduler.lint_probe(uuid) OWNER TO redress_audit_writer;
                    CREATE FUNCTION scheduler.lint_probe_follows() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        INSERT INTO public.follow_ups (branch_id, complaint_id, kind, due_at) VALUES (NEW.branch_id, NEW.complaint_id, 'callback', now());
                        RETURN NULL;
                    END $$;
                    CREATE TRIGGER lint_probe AFTER INSERT ON complaint_events FOR EACH ROW EXECUTE FUNCTION scheduler.lint_probe_follows();
                    """)
                let found = Self.unentered(by: try await Self.runningAsWriter(connection), audited: try await Self.audited(connection))
                try await connection.executeScript("ROLLBACK")
                #expect(found == ["scheduler.lint_probe(uuid): insert complaint_events",
                                  "scheduler.lint_probe_follows(): insert follow_ups",
                                  "scheduler.lint_probe_moves(uuid): dynamic SQL",
                                  "scheduler.lint_probe_moves(uuid): update complaints"])
            }
        }
    }
}
