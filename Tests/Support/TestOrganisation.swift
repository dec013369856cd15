import Foundation
import Postgres
import RedressCore
import RedressStore

/// Three branches with two departments each and one user per role, created as the owner.
/// Branch `a`'s executive and auditor are also granted branch `b`; nobody is granted `c`.
/// Handlers and department heads belong to their branch's first department; each branch also
/// has `other`, a handler of the second department only. Billing complaints route to the first
/// department. Every person's password is ``password``, hashed at cost 4.
public struct TestOrganisation: Sendable {
    /// One branch's ids.
    public struct BranchFixture: Sendable {
        public var id: UUID
        public var code: String
        /// The first and second department.
        public var departments: [UUID]
        /// The user holding each role (login = the role's raw value).
        public var users: [Role: UUID]
        /// A handler of the second department only.
        public var otherDepartmentUser: UUID
        /// The bot's API key secret.
        public var botKey: String
        /// Every user of the branch.
        public var allUserIDs: [UUID] { Array(users.values) + [otherDepartmentUser] }
    }

    /// The password of every person.
    public static let password = "correct-horse-battery"
    public var a: BranchFixture
    public var b: BranchFixture
    public var c: BranchFixture

    /// All three branches.
    public var branches: [BranchFixture] { [a, b, c] }

    /// The caller for `role` in `branch`, as the database would resolve it.
    public func caller(_ role: Role, in branch: BranchFixture) -> Caller {
        let departmentScoped = Role.departmentScoped.contains(role)
        let granted: Set<UUID> = branch.id == a.id && Role.crossBranch.contains(role) ? [b.id] : []
        return Caller(
            userID: branch.users[role]!, branchID: branch.id, branchCode: branch.code, login: role.rawValue,
            name: role.rawValue, roles: [role], departmentIDs: departmentScoped ? [branch.departments[0]] : [],
            grantedBranchIDs: granted, credential: .session(UUID()))
    }

    /// Creates the organisation in `database` as its owner.
    public static func create(in database: TestDatabase) async throws -> TestOrganisation {
        let connection = try await PGConnection.connect(PGConnectionConfiguration(database.ownerURL))
        defer { connection.close() }
        return try await connection.withTransaction { connection in
            let a = try await branch("a", connection)
            let b = try await branch("b", connection)
            let c = try await branch("c", connection)
            for role in [Role.executive, .auditor] {
                try await connection.execute("""
                    SELECT public.grant_hq(\(a.id), \(a.users[role]!), \(b.id), \(role.rawValue))
                    """)
            }
            return TestOrganisation(a: a, b: b, c: c)
        }
    }

    static func branch(_ code: String, _ connection: PGConnection) async throws -> BranchFixture {
        let id: UUID = try await connection.query("""
            SELECT public.create_branch(\("branch-" + code), \("Branch " + code.uppercased()), '', 'Asia/Shanghai')
            """)[0].decode(at: 0)
        var departments: [UUID] = []
        for (name, kind) in [("Billing", "billing"), ("Legal", "legal")] {
            departments.append(try await connection.query(
                "INSERT INTO departments (branch_id, name, kind) VALUES (\(id), \(name), \(kind)) RETURNING id")[0].decode(at: 0))
        }
        var users: [Role: UUID] = [:]
        for role in Role.allCases {
            let inFirst = Role.departmentScoped.contains(role) ? [departments[0]] : []
            users[role] = try await user(role.rawValue, role: role, departments: inFirst, branch: id, connection)
        }
        let other = try await user("other", role: .handler, departments: [departments[1]], branch: id, connection)
        try await connection.execute("""
            INSERT INTO routing_rules (branch_id, category_id, department_id)
            SELECT \(id), c.id, \(departments[0]) FROM categories c WHERE c.branch_id = \(id) AND c.code = 'billing'
            """)
        try await connection.execute("UPDATE departments SET head_user_id = \(users[.departmentHead]!) WHERE branch_id = \(id) AND id = \(departments[0])")
        let key = CredentialSecret(kind: .apiKey)
        try await connection.execute("""
            INSERT INTO api_keys (branch_id, user_id, name, key_prefix, key_hash, user_is_bot)
            VALUES (\(id), \(users[.bot]!), 'test', \(key.displayPrefix), \(key.hash), true)
            """)
        return BranchFixture(id: id, code: "branch-" + code, departments: departments, users: users,
                             otherDepartmentUser: other, botKey: key.token)
    }

    /// Adds a user with `role` and ``password`` to `branch`, as the owner.
    public static func user(_ login: String, role: Role, departments: [UUID], branch: UUID, _ connection: PGConnection) async throws -> UUID {
        let passwordHash = role == .bot ? nil : try await PasswordHasher.hash(Self.password, cost: 4)
        return try await connection.query("""
            INSERT INTO users (branch_id, login, name, roles, department_ids, email, password_hash)
            VALUES (\(branch), \(login), \(login.capitalized), \([role.rawValue]), \(departments), \(login + "@example.com"),
                    \(passwordHash))
            RETURNING id
            """)[0].decode(at: 0)
    }
}

/// What `public.seed_sla` gives every new branch (sql/0047).
public enum SLAConfigurationSeeds {
    /// The seeded policies' names, in the order listings give them.
    public static let policyNames = ["Business handling", "Invalid complaints", "Major complaints", "Repeat complaints",
                                     "Service and network quality", "Standard"]
}
