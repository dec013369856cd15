import ArgumentParser
import Foundation
import Postgres
import RedressCore
import RedressStore

/// `redress-bench library`: case library search latency over HTTP.
///
/// `--entries` entries in 20 branches, a tenth of them published, are written in SQL from
/// Chinese and English phrases about billing, network and service complaints (once; a later run
/// reuses them). An agent of each branch in turn then searches through the API served in this
/// process for two-character and four-character Chinese substrings, English words in any case,
/// a rare token, and nothing at all; reported are p50, p99 and the maximum per kind and over all,
/// the number found, and the table's size on disk.
struct LibraryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "library", abstract: "Case library search latency over HTTP.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Entries in the case library.")
    var entries = 100_000

    @Option(help: "Requests measured per kind.")
    var requests = 300

    static let password = "library-bench-password"

    /// What is searched for, by kind.
    static let queries: [(kind: String, terms: [String])] = [
        ("Chinese, two characters", ["扣费", "信号", "退款", "网速", "客服"]),
        ("Chinese, four characters", ["重复扣费", "信号中断", "退款延迟", "态度恶劣"]),
        ("English word, any case", ["billing", "Refund", "OUTAGE", "technician"]),
        ("rare token", ["工单XJ-7", "ticket-k9q"]),
        ("no query (newest 50)", [""]),
    ]

    func run() async throws {
        let (owner, service) = try await database.openMigrated(ownerConnections: 2, serviceConnections: 4)
        try await prepare(owner)
        let codes = try await owner.query("SELECT code FROM branches WHERE code LIKE 'lib-%' ORDER BY code").map { try $0.decode(String.self, at: 0) }
        let size = try await owner.query("""
            SELECT count(*), pg_total_relation_size('case_library_entries'), pg_relation_size('case_library_entries_pairs')
              FROM case_library_entries
            """)[0]
        let (count, total, pairs) = (try size.decode(Int64.self, at: 0), try size.decode(Int64.self, at: 1), try size.decode(Int64.self, at: 2))
        let migrator = PGMigrator(migrations: try PGMigration.load(from: URL(fileURLWithPath: database.sqlDirectory)))
        try await BenchServer.serving(pool: service, owner: owner, migrator: migrator) { api in
            var tokens: [String] = []
            for code in codes { tokens.append(try await api.signIn(branch: code, login: "lib-agent", password: Self.password)) }
            print("\(count) entries in \(codes.count) branches; table, indexes and TOAST \(total / 1_048_576) MiB "
                  + "(\(total / max(count, 1)) bytes per entry), of which the pair index \(pairs / 1_048_576) MiB")
            print("search                                            p50 ms   p99 ms   max ms")
            var all = LatencySamples()
            for (kind, terms) in Self.queries {
                var samples = LatencySamples(), found = 0
                for index in -10..<requests {
                    let term = terms[(index + 10) % terms.count]
                    let query = term.isEmpty ? "" : "&q=" + (term.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? term)
                    let started = ContinuousClock.now
                    let (status, body) = try await api.send("GET", "/v1/library?limit=50" + query, token: tokens[(index + 10) % tokens.count],
                                                            body: nil)
                    let elapsed = ContinuousClock.now - started
                    guard status == 200 else { throw BenchError("/v1/library?\(query) answered \(status)") }
                    guard index >= 0 else { continue }
                    samples.record(elapsed)
                    all.record(elapsed)
                    found += ((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["items"] as? [Any])?.count ?? 0
                }
                WorkQueueBench.row(kind, samples)
                print(String(format: "    entries found per search: %.1f", Double(found) / Double(requests)))
            }
            WorkQueueBench.row("all searches", all)
        }
    }

    /// Writes the branches, an agent in each, and the entries, unless they are there.
    private func prepare(_ owner: PGPool) async throws {
        try await owner.withConnection { connection in
            try await BenchBranches.create(prefix: "lib-", count: 20, connection)
            try await connection.execute("""
                INSERT INTO users (branch_id, login, name, roles, password_hash)
                SELECT b.id, 'lib-agent', 'Library agent', '{agent}', \(try await PasswordHasher.hash(Self.password, cost: 4))
                  FROM branches b WHERE b.code LIKE 'lib-%' ON CONFLICT DO NOTHING
                """)
            let present: Int64 = try await connection.query("SELECT count(*) FROM case_library_entries")[0].decode(at: 0)
            guard present < entries else { return }
            try await connection.execute("SELECT setseed(0.21)")
            try await connection.execute("""
                WITH phrases AS (
                    SELECT ARRAY['客户反映话费账单重复扣费', '宽带信号中断三天未修复', '退款延迟超过两周', '营业厅客服态度恶劣',
                                 'the customer was charged twice for the same month', 'mobile data outage in the evening',
                                 'refund promised but not paid', 'technician missed the appointment', '网速远低于套餐承诺',
                                 'billing system applied an old tariff', '投诉处理超时未回复', 'the agent gave wrong information'] AS situation,
                           ARRAY['计费系统批处理重复执行', 'a faulty line card at the exchange', '财务审批流程过长', '员工培训不足',
                                 'the tariff table was not updated', '派单系统未通知维修人员'] AS cause,
                           ARRAY['退还多收费用并致歉', 'replaced the line card and credited a month', '简化退款审批', '组织服务礼仪培训',
                                 'corrected the tariff and re-billed', '建立预约提醒'] AS actions,
                           ARRAY['批处理需要幂等检查', 'monitor line cards before customers notice', '退款时限写入服务承诺',
                                 'train new staff before they serve customers', '价格变更需双人复核'] AS lesson,
                           ARRAY['billing', 'network', 'refund', 'service', '计费', '网络', '服务'] AS tags
                ), branches AS (
                    SELECT array_agg(b.id ORDER BY b.code) AS ids FROM branches b WHERE b.code LIKE 'lib-%'
                ), rows AS (
                    SELECT g, br.ids[1 + g % 20] AS branch_id, p.*
                      FROM generate_series(\(present + 1), \(Int64(entries))) g, phrases p, branches br
                )
                INSERT INTO case_library_entries (branch_id, title, situation, cause, actions, lesson, outcome, tags, created_by,
                                                  published_at, published_by, updated_at)
                SELECT r.branch_id, 'Case ' || r.g || ': ' || r.situation[1 + (random() * 11)::int],
                       r.situation[1 + (random() * 11)::int] || '。' || r.situation[1 + (random() * 11)::int]
                           || CASE WHEN r.g % 25000 = 7 THEN ' 工单XJ-7' WHEN r.g % 40000 = 11 THEN ' ticket-k9q' ELSE '' END,
                       r.cause[1 + (random() * 5)::int], r.actions[1 + (random() * 5)::int], r.lesson[1 + (random() * 4)::int],
                       CASE WHEN random() < 0.7 THEN 'success' ELSE 'failure' END,
                       ARRAY[r.tags[1 + (random() * 6)::int]], u.id,
                       CASE WHEN r.g % 10 = 0 THEN now() - make_interval(secs => r.g) END,
                       CASE WHEN r.g % 10 = 0 THEN u.id END,
                       now() - make_interval(secs => r.g)
                  FROM rows r JOIN users u ON u.branch_id = r.branch_id AND u.login = 'lib-agent'
                """)
            try await connection.execute("ANALYZE case_library_entries")
        }
    }
}
