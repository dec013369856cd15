import Foundation
import Postgres
import RedressCore

/// Executives' and auditors' reach beyond their home branch (`redress grant`), changed only by
/// operators as the schema owner through `public.grant_hq` and `public.revoke_hq`. A grant names
/// the role it was made for and counts only while its holder is active and holds that role; while
/// a person holds any grant, their branch's admins can neither change nor remove them. Until
/// their first grant, though, an admin may have set their password or holds a session of theirs:
/// the first grant ends their sessions and replaces their password with a one-time password for
/// the operator to hand over, which they must change at their next sign-in.
public struct HQGrants: Sendable {
    let ownerPool: PGPool
    let passwordHashCost: Int

    /// Creates the service on a pool of owner connections.
    public init(ownerPool: PGPool, passwordHashCost: Int = 12) {
        self.ownerPool = ownerPool
        self.passwordHashCost = passwordHashCost
    }

    /// What granting did.
    public struct Granted: Sendable {
        public var grant: Grant
        /// The holder had to be given the grant's role.
        public var roleAdded: Bool
        /// The holder's new one-time password, when this was their first grant.
        public var oneTimePassword: String?
    }

    /// A person named as `<branch code>/<login>`.
    public struct PersonReference: Sendable, Equatable, CustomStringConvertible {
        public var branchCode: String
        public var login: String

        /// Reads `north/lee`; nil for anything else.
        public init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            branchCode = String(parts[0])
            login = String(parts[1])
        }

        public var description: String { "\(branchCode)/\(login)" }
    }

    /// One grant as operators list it.
    public struct Grant: Sendable, Codable, Equatable {
        public var holderBranch: String
        public var holderLogin: String
        public var holderName: String
        public var role: String
        public var grantedBranch: String
        public var grantedAt: Date
        /// False while the holder is deactivated or no longer holds `role`: the grant then gives nothing.
        public var inEffect: Bool
    }

    /// The roles a grant may be made for.
    public static let grantableRoles: [Role] = [.executive, .auditor]

    /// Grants `role` in the branch `grantedCode` to `holder`. The holder must hold `role` already,
    /// unless `addRole`, which gives it to them.
    public func add(_ holder: PersonReference, grantedCode: String, role: Role, addRole: Bool) async throws -> Granted {
        guard Self.grantableRoles.contains(role) else { throw OperatorRefusal("--role", "grants are made for executive or auditor only") }
        let password = OneTimePassword.generate()
        let hash = try await PasswordHasher.hash(password, cost: passwordHashCost)
        return try await ownerPool.withTransaction { connection in
            let person = try await Self.person(holder, connection)
            let granted = try await Self.branch(grantedCode, connection)
            if granted == person.branchID { throw OperatorRefusal("--branch", "\(grantedCode) is \(holder)'s own branch") }
            if person.roles.contains(Role.bot.rawValue) { throw OperatorRefusal("--user", "\(holder) is a bot; bots hold no grants") }
            if !person.active { throw OperatorRefusal("--user", "\(holder) is deactivated") }
            let roleAdded = !person.roles.contains(role.rawValue)
            if roleAdded {
                guard addRole else {
                    throw OperatorRefusal("--role", "\(holder) does not hold the \(role.rawValue) role (pass --add-role to give it)")
                }
                try await connection.execute("""
                    UPDATE users SET roles = array_append(roles, \(role.rawValue)), updated_at = now()
                     WHERE branch_id = \(person.branchID) AND id = \(person.id)
                    """)
            }
            if !person.holdsGrants {
                try await connection.execute("""
                    UPDATE users SET password_hash = \(hash), password_change_required = true, updated_at = now()
                     WHERE branch_id = \(person.branchID) AND id = \(person.id)
                    """)
                try await connection.execute("""
                    UPDATE sessions SET revoked_at = now() WHERE branch_id = \(person.branchID) AND user_id = \(person.id) AND revoked_at IS NULL
                    """)
            }
            try await connection.execute("SELECT public.grant_hq(\(person.branchID), \(person.id), \(granted), \(role.rawValue))")
            let grants = try await Self.grants(holder: person.id, granted: granted, connection)
            return Granted(grant: grants[0], roleAdded: roleAdded, oneTimePassword: person.holdsGrants ? nil : password)
        }
    }

    /// Takes back `holder`'s grant in the branch `grantedCode`; their roles stay as they are.
    public func remove(_ holder: PersonReference, grantedCode: String) async throws {
        try await ownerPool.withTransaction { connection in
            let person = try await Self.person(holder, connection)
            let granted = try await Self.branch(grantedCode, connection)
            if try await Self.grants(holder: person.id, granted: granted, connection).isEmpty {
                throw OperatorRefusal("--branch", "\(holder) holds no grant in \(grantedCode)")
            }
            try await connection.execute("SELECT public.revoke_hq(\(person.branchID), \(person.id), \(granted))")
        }
    }

    /// Every grant, or those held in or reaching the branch `branchCode`, by holder and branch.
    public func list(branchCode: String? = nil) async throws -> [Grant] {
        try await ownerPool.withConnection { connection in
            var branch: UUID?
            if let branchCode { branch = try await Self.branch(branchCode, connection) }
            return try await Self.grants(touching: branch, connection)
        }
    }

    private struct Person {
        var branchID: UUID
        var id: UUID
        var roles: [String]
        var active: Bool
        var holdsGrants: Bool
    }

    private static func person(_ reference: PersonReference, _ connection: PGConnection) async throws -> Person {
        let branchID = try await branch(reference.branchCode, connection, option: "--user")
        let rows = try await connection.query("""
            SELECT id, roles, active, holds_hq_grants FROM users WHERE branch_id = \(branchID) AND login = \(reference.login)
            """)
        guard let row = rows.first else { throw OperatorRefusal("--user", "\(reference.branchCode) has nobody with the login \"\(reference.login)\"") }
        return Person(branchID: branchID, id: try row.decode(at: 0), roles: try row.decode(at: 1), active: try row.decode(at: 2),
                      holdsGrants: try row.decode(at: 3))
    }

    private static func branch(_ code: String, _ connection: PGConnection, option: String = "--branch") async throws -> UUID {
        let rows = try await connection.query("SELECT id FROM branches WHERE code = \(code)")
        guard let row = rows.first else { throw OperatorRefusal(option, "there is no branch with the code \"\(code)\"") }
        return try row.decode(at: 0)
    }

    private static let grantColumns = """
        SELECT home.code, u.login, u.name, g.role, b.code, g.granted_at, u.active AND g.role = ANY (u.roles)
          FROM hq_grants g
          JOIN users u ON u.branch_id = g.branch_id AND u.id = g.user_id
          JOIN branches home ON home.id = g.branch_id
          JOIN branches b ON b.id = g.granted_branch_id
        """

    private static func grants(holder: UUID, granted: UUID, _ connection: PGConnection) async throws -> [Grant] {
        try await connection.query("""
            \(unescaped: grantColumns)
             WHERE g.user_id = \(holder) AND g.granted_branch_id = \(granted)
            """).map(grant)
    }

    private static func grants(touching branch: UUID?, _ connection: PGConnection) async throws -> [Grant] {
        try await connection.query("""
            \(unescaped: grantColumns)
             WHERE \(branch)::uuid IS NULL OR g.branch_id = \(branch) OR g.granted_branch_id = \(branch)
             ORDER BY home.code, u.login, b.code
            """).map(grant)
    }

    private static func grant(_ row: PGRow) throws -> Grant {
        Grant(holderBranch: try row.decode(at: 0), holderLogin: try row.decode(at: 1), holderName: try row.decode(at: 2),
              role: try row.decode(at: 3), grantedBranch: try row.decode(at: 4), grantedAt: try row.decode(at: 5),
              inEffect: try row.decode(at: 6))
    }
}
