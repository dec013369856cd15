import Foundation
import Postgres
import RedressCore

/// Creates the demo organisation: two branches with their departments and routing rules, a user
/// for every role, an executive covering both branches, and a bot with a fresh API key. Runs as the owner (a
/// member of redress_platform) and is safe to repeat: existing rows are kept, only the demo bot
/// key is replaced, because its secret cannot be shown again.
public struct DemoSeeder: Sendable {
    /// The demo password of every demo user.
    public static let password = "redress-demo-password"

    /// What was created, for printing sign-in instructions.
    public struct Summary: Sendable {
        /// Branch codes, in order.
        public var branchCodes: [String]
        /// Logins per branch code.
        public var logins: [String: [String]]
        /// The new demo bot key of the first branch.
        public var botKey: String
    }

    let ownerPool: PGPool
    let passwordHashCost: Int

    /// Creates a seeder on a pool of owner connections.
    public init(ownerPool: PGPool, passwordHashCost: Int = 12) {
        self.ownerPool = ownerPool
        self.passwordHashCost = passwordHashCost
    }

    static let branches: [(code: String, name: String, region: String, timeZone: String)] = [
        ("north", "North Branch", "North", "Asia/Shanghai"),
        ("south", "South Branch", "South", "Asia/Hong_Kong"),
    ]

    static let departments: [(name: String, kind: DepartmentKind)] = [
        ("Customer Service Centre", .customerService), ("Complaint Management Office", .complaintOffice),
        ("Network Operations", .networkOperations), ("Billing", .billing), ("Product", .product), ("Legal", .legal),
    ]

    /// login, name, position, roles, department names.
    static let people: [(login: String, name: String, position: String, roles: [Role], departments: [String])] = [
        ("agent", "Avery Agent", "Customer service agent", [.agent], ["Customer Service Centre"]),
        ("handler", "Harper Handler", "Billing specialist", [.handler], ["Billing"]),
        ("head", "Dana Head", "Head of billing", [.departmentHead], ["Billing"]),
        ("office", "Owen Office", "Complaint office lead", [.departmentHead], ["Complaint Management Office"]),
        ("manager", "Morgan Manager", "Branch manager", [.branchManager], []),
        ("auditor", "Alex Auditor", "Internal auditor", [.auditor], []),
        ("admin", "Adrian Admin", "Branch administrator", [.admin], []),
        ("bot", "Escalation Bot", "Paging bot", [.bot], []),
    ]

    /// Seeds the demo organisation and returns what a newcomer needs to sign in.
    public func seed() async throws -> Summary {
        // One hash for every demo person: they share a published password, so salts of their own
        // would hide nothing, and the seeder does one bcrypt instead of one per person.
        let passwordHash = try await PasswordHasher.hash(Self.password, cost: passwordHashCost)
        return try await ownerPool.withTransaction { connection in
            var logins: [String: [String]] = [:]
            for branch in Self.branches {
                var found = try await connection.query("SELECT id FROM branches WHERE code = \(branch.code)")
                if found.isEmpty {
                    found = try await connection.query("""
                        SELECT public.create_branch(\(branch.code), \(branch.name), \(branch.region), \(branch.timeZone))
                        """)
                }
                let branchID: UUID = try found[0].decode(at: 0)
                for department in Self.departments {
                    try await connection.execute("""
                        INSERT INTO departments (branch_id, name, kind) VALUES (\(branchID), \(department.name), \(department.kind.rawValue))
                        ON CONFLICT (branch_id, name) DO NOTHING
                        """)
                }
                var people = Self.people
                if branch.code == Self.branches[0].code {
                    people.append(("executive", "Evelyn Executive", "Regional executive", [.executive], []))
                }
                for person in people {
                    try await addUser(person, branchID: branchID, passwordHash: passwordHash, connection: connection)
                }
                try await connection.execute("""
                    UPDATE departments d SET head_user_id = u.id
                      FROM users u
                     WHERE d.branch_id = \(branchID) AND u.branch_id = d.branch_id AND d.head_user_id IS NULL
                       AND ((d.name = 'Billing' AND u.login = 'head') OR (d.name = 'Complaint Management Office' AND u.login = 'office'))
                    """)
                try await connection.execute("""
                    INSERT INTO routing_rules (branch_id, category_id, department_id)
                    SELECT \(branchID), c.id, d.id
                      FROM (VALUES ('billing', 'Billing'), ('network_quality', 'Network Operations'),
                                   ('product_quality', 'Product'), ('after_sales', 'Product'),
                                   ('service_attitude', 'Customer Service Centre'), ('business_handling', 'Customer Service Centre'),
                                   ('system_failure', 'Network Operations'), ('policy_information', 'Legal')) AS r (code, department)
                      JOIN categories c ON c.branch_id = \(branchID) AND c.code = r.code
                      JOIN departments d ON d.branch_id = \(branchID) AND d.name = r.department
                     WHERE NOT EXISTS (SELECT FROM routing_rules x WHERE x.branch_id = \(branchID) AND x.category_id = c.id)
                    """)
                logins[branch.code] = people.map(\.login)
            }
            // Read first, then grant: on Citus a function that writes cannot run inside a query over the tables.
            let grants = try await connection.query("""
                SELECT u.branch_id, u.id, b.id
                  FROM users u JOIN branches home ON home.id = u.branch_id, branches b
                 WHERE home.code = \(Self.branches[0].code) AND u.login = 'executive' AND b.code = \(Self.branches[1].code)
                """)
            for grant in grants {
                let (home, executive, granted): (UUID, UUID, UUID) = (try grant.decode(at: 0), try grant.decode(at: 1), try grant.decode(at: 2))
                try await connection.execute("SELECT public.grant_hq(\(home), \(executive), \(granted), 'executive')")
            }
            return Summary(branchCodes: Self.branches.map(\.code), logins: logins,
                           botKey: try await replaceBotKey(connection: connection))
        }
    }

    private func addUser(
        _ person: (login: String, name: String, position: String, roles: [Role], departments: [String]),
        branchID: UUID, passwordHash: String, connection: PGConnection
    ) async throws {
        let storedHash: String? = person.roles.contains(.bot) ? nil : passwordHash
        // Read first: Citus takes no sub-select inside an INSERT.
        let departments: [UUID] = try await connection.query("""
            SELECT id FROM departments WHERE branch_id = \(branchID) AND name = ANY (\(person.departments)) ORDER BY name
            """).map { try $0.decode(at: 0) }
        try await connection.execute("""
            INSERT INTO users (branch_id, login, name, position, email, roles, department_ids, password_hash)
            VALUES (\(branchID), \(person.login), \(person.name), \(person.position),
                    \(person.login + "@example.com"), \(person.roles.map(\.rawValue)), \(departments), \(storedHash))
            ON CONFLICT (branch_id, login) DO NOTHING
            """)
    }

    /// Deletes the previous demo key (its secret is gone) and issues a new one.
    private func replaceBotKey(connection: PGConnection) async throws -> String {
        let branchID: UUID = try await connection.query("SELECT id FROM branches WHERE code = \(Self.branches[0].code)")[0].decode(at: 0)
        let secret = CredentialSecret(kind: .apiKey, branch: branchID)
        try await connection.execute("DELETE FROM api_keys WHERE branch_id = \(branchID) AND name = 'demo'")
        try await connection.execute("""
            INSERT INTO api_keys (branch_id, user_id, name, key_prefix, key_hash, user_is_bot)
            SELECT u.branch_id, u.id, 'demo', \(secret.displayPrefix), \(secret.hash), true
              FROM users u WHERE u.branch_id = \(branchID) AND u.login = 'bot'
            """)
        return secret.token
    }
}
