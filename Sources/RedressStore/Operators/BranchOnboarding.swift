import Foundation
import Postgres
import RedressCore

/// What operators do to the branch network as the schema owner (`redress branch`): add a branch
/// with its first admin, and list the branches. A branch's own people, departments and rules are
/// then its admin's to configure through the API.
public struct BranchOnboarding: Sendable {
    let ownerPool: PGPool
    let passwordHashCost: Int

    /// Creates the service on a pool of owner connections.
    public init(ownerPool: PGPool, passwordHashCost: Int = 12) {
        self.ownerPool = ownerPool
        self.passwordHashCost = passwordHashCost
    }

    /// A branch to add and the person who will administer it.
    public struct NewBranch: Sendable {
        public var code: String
        public var name: String
        public var region: String
        public var timeZone: String
        public var adminLogin: String
        public var adminName: String
        public var adminEmail: String?

        /// Describes a new branch.
        public init(code: String, name: String, region: String = "", timeZone: String, adminLogin: String = "admin",
                    adminName: String = "Branch administrator", adminEmail: String? = nil) {
            self.code = code
            self.name = name
            self.region = region
            self.timeZone = timeZone
            self.adminLogin = adminLogin
            self.adminName = adminName
            self.adminEmail = adminEmail
        }
    }

    /// The branch created and its first admin's one-time password (shown once, stored only as a hash).
    public struct CreatedBranch: Sendable {
        public var branch: Branch
        public var adminLogin: String
        public var adminID: UUID
        public var oneTimePassword: String
    }

    /// A branch as operators list it.
    public struct ListedBranch: Sendable, Codable, Equatable {
        public var branch: Branch
        /// Active people (bots not counted).
        public var people: Int
        public var departments: Int
        /// Logins of its active admins.
        public var admins: [String]
    }

    /// Creates the branch (with its categories, working calendar and SLA policies) and its
    /// first admin, who must change the printed password at the first sign-in; all or nothing.
    public func create(_ new: NewBranch) async throws -> CreatedBranch {
        try Self.validate(new)
        let password = OneTimePassword.generate()
        let hash = try await PasswordHasher.hash(password, cost: passwordHashCost)
        do {
            return try await ownerPool.withTransaction { connection in
                let known = try await connection.query("SELECT EXISTS (SELECT FROM pg_timezone_names WHERE name = \(new.timeZone))")
                guard try known[0].decode(Bool.self, at: 0) else {
                    throw OperatorRefusal("--time-zone", "PostgreSQL does not know the time zone \"\(new.timeZone)\"")
                }
                if try await !connection.query("SELECT 1 FROM branches WHERE code = \(new.code)").isEmpty {
                    throw OperatorRefusal("--code", "a branch with the code \"\(new.code)\" exists already")
                }
                let id: UUID = try await connection.query("""
                    SELECT public.create_branch(\(new.code), \(new.name), \(new.region), \(new.timeZone))
                    """)[0].decode(at: 0)
                let adminID: UUID = try await connection.query("""
                    INSERT INTO users (branch_id, login, name, position, email, roles, password_hash, password_change_required)
                    VALUES (\(id), \(new.adminLogin), \(new.adminName), 'Branch administrator', \(new.adminEmail), ARRAY['admin'],
                            \(hash), true)
                    RETURNING id
                    """)[0].decode(at: 0)
                let branch = try BranchStore.branch(try await connection.query("""
                    SELECT \(unescaped: BranchStore.columns) FROM branches WHERE id = \(id)
                    """)[0])
                return CreatedBranch(branch: branch, adminLogin: new.adminLogin, adminID: adminID, oneTimePassword: password)
            }
        } catch let error as PGError where error.sqlState == .uniqueViolation && error.constraint == "branches_code_key" {
            throw OperatorRefusal("--code", "a branch with the code \"\(new.code)\" exists already")
        }
    }

    /// Every branch, by code.
    public func list() async throws -> [ListedBranch] {
        try await ownerPool.withConnection { connection in
            try await connection.query("""
                SELECT b.id, b.code, b.name, b.region, b.time_zone, b.created_at, b.updated_at,
                       (SELECT count(*) FROM users u WHERE u.branch_id = b.id AND u.active AND NOT 'bot' = ANY (u.roles)),
                       (SELECT count(*) FROM departments d WHERE d.branch_id = b.id),
                       ARRAY(SELECT u.login FROM users u WHERE u.branch_id = b.id AND u.active AND 'admin' = ANY (u.roles) ORDER BY u.login)
                  FROM branches b
                 ORDER BY b.code
                """).map { row in
                ListedBranch(branch: try BranchStore.branch(row), people: try row.decode(at: 7), departments: try row.decode(at: 8),
                             admins: try row.decode(at: 9))
            }
        }
    }

    /// The rules the database would also enforce, checked first so that the operator is told
    /// which option is wrong.
    static func validate(_ new: NewBranch) throws {
        if new.code.wholeMatch(of: /[a-z0-9][a-z0-9-]{1,31}/) == nil {
            throw OperatorRefusal("--code", "must be 2 to 32 lowercase letters, digits or hyphens, starting with a letter or digit")
        }
        if !OperatorText.isPlain(new.name, maximum: 200) { throw OperatorRefusal("--name", "must be 1 to 200 characters without control characters") }
        if !(new.region.isEmpty || OperatorText.isPlain(new.region, maximum: 200)) {
            throw OperatorRefusal("--region", "must be at most 200 characters without control characters")
        }
        if new.timeZone.count > 64 || TimeZone(identifier: new.timeZone) == nil {
            throw OperatorRefusal("--time-zone", "must be an IANA time zone such as Asia/Shanghai")
        }
        if new.adminLogin.wholeMatch(of: /[a-z0-9][a-z0-9._@-]{1,63}/) == nil {
            throw OperatorRefusal("--admin-login", "must be 2 to 64 lowercase letters, digits or . _ @ -, starting with a letter or digit")
        }
        if !OperatorText.isPlain(new.adminName, maximum: 200) {
            throw OperatorRefusal("--admin-name", "must be 1 to 200 characters without control characters")
        }
        if let email = new.adminEmail, email.count > 320 || email.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) == nil {
            throw OperatorRefusal("--admin-email", "must be an email address")
        }
    }
}

/// Text rules for operators' input.
enum OperatorText {
    /// 1 to `maximum` characters, none of them a control character.
    static func isPlain(_ text: String, maximum: Int) -> Bool {
        !text.isEmpty && text.count <= maximum && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
