import ArgumentParser
import Foundation
import Postgres
import RedressCore
import RedressStore

/// `redress-bench lookup`: the latency of the public progress lookup over HTTP.
///
/// Over `--complaints` complaints in 20 branches (``ReportBenchData``), `--sample` of them get an
/// access code and a timeline of nine entries. Lookups then alternate between the right code of a
/// sampled complaint, a wrong code of one, and a case number that does not exist, one at a time
/// through the API served in this process; reported are p50, p99 and the maximum of each, and how
/// the two refusals compare, since they must not tell an unknown case from a wrong code.
struct LookupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lookup", abstract: "Public progress lookup latency over HTTP.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Complaints in the database.")
    var complaints = 1_000_000

    @Option(help: "Complaints given an access code and a timeline.")
    var sample = 2000

    @Option(help: "Requests measured per kind.")
    var requests = 2000

    private struct Case {
        var caseNumber: String
        var code: AccessCode
    }

    func run() async throws {
        let (owner, service) = try await database.openMigrated(ownerConnections: 2, serviceConnections: 4)
        try await ReportBenchData(owner: owner).prepare(total: complaints)
        var store = StoreConfiguration(passwordHashCost: 4)
        // Wrong codes are measured, not locked out: each sampled case gets about one.
        store.lookupFailuresBeforeLock = 100
        let cases = try await giveCodes(owner, keys: store.personalDataKeys)
        let migrator = PGMigrator(migrations: try PGMigration.load(from: URL(fileURLWithPath: database.sqlDirectory)))
        try await BenchServer.serving(pool: service, owner: owner, migrator: migrator, store: store,
                                      configure: { $0.publicLookupsPerMinute = 10_000_000 }) { api in
            var found = LatencySamples(), wrong = LatencySamples(), unknown = LatencySamples()
            for index in -60..<(3 * requests) {
                let target = cases[(index + 60) / 3 % cases.count], kind = (index + 60) % 3
                let path: String, expected: Int
                switch kind {
                case 0: (path, expected) = ("/v1/public/complaints/\(target.caseNumber)?code=\(target.code)", 200)
                case 1: (path, expected) = ("/v1/public/complaints/\(target.caseNumber)?code=\(Self.wrongCode(for: target.code))", 404)
                default:
                    let missing = String(target.caseNumber.dropLast(6)) + String(format: "%07d", 9_000_000 + index + 60)
                    (path, expected) = ("/v1/public/complaints/\(missing)?code=\(target.code)", 404)
                }
                let started = ContinuousClock.now
                let (status, _) = try await api.send("GET", path, token: nil, body: nil)
                let elapsed = ContinuousClock.now - started
                guard status == expected else { throw BenchError("\(path) answered \(status), not \(expected)") }
                guard index >= 0 else { continue }
                switch kind {
                case 0: found.record(elapsed)
                case 1: wrong.record(elapsed)
                default: unknown.record(elapsed)
                }
            }
            print("\(complaints) complaints in 20 branches, \(cases.count) with codes and nine timeline entries")
            print("lookup                                            p50 ms   p99 ms   max ms")
            WorkQueueBench.row("right code", found)
            WorkQueueBench.row("wrong code (404)", wrong)
            WorkQueueBench.row("unknown case number (404)", unknown)
            print(String(format: "unknown / wrong code: p50 %.2fx, p99 %.2fx", unknown.percentile(0.5) / wrong.percentile(0.5),
                         unknown.percentile(0.99) / wrong.percentile(0.99)))
        }
    }

    /// Gives `sample` complaints spread over the branches a fresh code each, and a timeline like a
    /// handled complaint's (once per complaint).
    private func giveCodes(_ owner: PGPool, keys: PersonalDataKeys) async throws -> [Case] {
        try await owner.withConnection { connection in
            let picked = try await connection.query("""
                SELECT c.branch_id, c.id, c.case_number FROM complaints c TABLESAMPLE BERNOULLI (1)
                  JOIN branches b ON b.id = c.branch_id AND b.code LIKE 'rep-%'
                 WHERE c.access_code_digest IS NULL
                 LIMIT \(sample)
                """).map { (try $0.decode(UUID.self, at: 0), try $0.decode(UUID.self, at: 1), try $0.decode(String.self, at: 2)) }
            FileHandle.standardError.write(Data("giving \(picked.count) complaints access codes and timelines…\n".utf8))
            return try await connection.withTransaction { connection in
                try await connection.execute("ALTER TABLE complaints DISABLE TRIGGER audited_updates")
                var cases: [Case] = []
                for (branch, id, _) in picked {
                    let code = AccessCode.generate()
                    // The data set's case numbers are short; these get the form intake gives them.
                    let caseNumber: String = try await connection.query("""
                        UPDATE complaints c
                           SET access_code_digest = \(keys.accessCodeDigest(code)),
                               case_number = upper(b.code) || '-' || to_char(c.received_at AT TIME ZONE b.time_zone, 'YYYYMMDD')
                                             || '-' || lpad(nextval('complaint_case_serial')::text, 6, '0')
                          FROM branches b
                         WHERE b.id = c.branch_id AND c.branch_id = \(branch) AND c.id = \(id)
                        RETURNING c.case_number
                        """)[0].decode(at: 0)
                    cases.append(Case(caseNumber: caseNumber, code: code))
                }
                try await connection.execute("ALTER TABLE complaints ENABLE TRIGGER audited_updates")
                try await connection.execute("""
                    INSERT INTO complaint_events (branch_id, complaint_id, at, kind, after,
                                                  case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                    SELECT c.branch_id, c.id, c.received_at + k.n * interval '3 hours', k.kind,
                           jsonb_build_object('departmentId', c.department_id::text, 'level', c.level::text),
                           c.department_id, c.collaborating_department_ids, c.responsible_user_id
                      FROM complaints c
                      CROSS JOIN unnest(ARRAY['received', 'acknowledge', 'grade', 'assign', 'start_investigation', 'propose_plan',
                                              'approve_plan', 'start_implementation', 'feed_back_result']) WITH ORDINALITY AS k(kind, n)
                     WHERE c.access_code_digest IS NOT NULL
                       AND NOT EXISTS (SELECT FROM complaint_events e WHERE e.branch_id = c.branch_id AND e.complaint_id = c.id)
                    """)
                return cases
            }
        }
    }

    /// Another code than `code`, differing in its last character.
    static func wrongCode(for code: AccessCode) -> String {
        let last = code.characters.last!
        let other = AccessCode.alphabet.first { $0 != last }!
        return String(code.characters.dropLast()) + String(other)
    }
}
