import Foundation
import Postgres
import RedressCore

/// People and bots of the caller's branches. Changes need the admin role (enforced by RLS);
/// passwords are hashed with bcrypt here (``PasswordHasher``), so only their hashes reach the
/// database, which the service role may write but never read back.
public struct UserStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    static let columns = """
        branch_id, id, login, name, position, email, phone, roles, department_ids, active, created_at, updated_at,
        password_change_required
        """

    /// What a new user is made of.
    public struct NewUser: Sendable {
        public var login: String
        public var name: String
        public var position: String
        public var email: String?
        public var phone: String?
        public var roles: [Role]
        public var departmentIDs: [UUID]
        /// Nil for bots, which sign in with API keys only.
        public var password: String?
        /// True when the person must replace `password` at their first sign-in.
        public var passwordChangeRequired: Bool

        /// Creates the description of a new user.
        public init(login: String, name: String, position: String = "", email: String? = nil, phone: String? = nil,
                    roles: [Role], departmentIDs: [UUID] = [], password: String?, passwordChangeRequired: Bool = false) {
            self.login = login
            self.name = name
            self.position = position
            self.email = email
            self.phone = phone
            self.roles = roles
            self.departmentIDs = departmentIDs
            self.password = password
            self.passwordChangeRequired = passwordChangeRequired
        }
    }

    /// The fields a partial update may change.
    public struct Changes: Sendable {
        public var login: FieldUpdate<String> = .unchanged
        public var name: FieldUpdate<String> = .unchanged
        public var position: FieldUpdate<String> = .unchanged
        public var email: FieldUpdate<String?> = .unchanged
        public var phone: FieldUpdate<String?> = .unchanged
        public var roles: FieldUpdate<[Role]> = .unchanged
        public var departmentIDs: FieldUpdate<[UUID]> = .unchanged
        public var active: FieldUpdate<Bool> = .unchanged
        public var password: FieldUpdate<String> = .unchanged
        /// Whether the person must replace their password at their next sign-in.
        public var passwordChangeRequired: FieldUpdate<Bool> = .unchanged

        /// No changes yet.
        public init() {}
    }

    /// Users visible to `scope`, ordered by login. The branch's `complainant` user, whom
    /// complainants act as with their access code, and each intake key's own user are no one's
    /// colleagues and are neither listed nor shown (the timeline's `actorRoles` name them).
    public func list(_ scope: AccessScope, departmentID: UUID? = nil, page: PageRequest) async throws -> Page<User> {
        try await database.withScope(scope, readOnly: true) { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.columns) FROM users
                 WHERE (\(departmentID)::uuid IS NULL OR \(departmentID) = ANY (department_ids))
                   AND NOT roles && ARRAY['complainant', 'intake']
                   AND (\(page.after == nil) OR (login, id) > (\(page.after?.key ?? ""), \(page.after?.id ?? PageCursor.origin)))
                 ORDER BY login, id LIMIT \(page.limit + 1)
                """)
            return page.page(from: try rows.map(Self.user), key: \.login, id: \.id)
        }
    }

    /// One user, if `scope` may see them.
    public func get(_ scope: AccessScope, id: UUID) async throws -> User {
        try await database.withScope(scope, readOnly: true) { connection in
            let rows = try await connection.query("SELECT \(unescaped: Self.columns) FROM users WHERE id = \(id) AND NOT roles && ARRAY['complainant', 'intake']")
            guard let row = rows.first else { throw StoreError.notFound }
            return try Self.user(row)
        }
    }

    /// Creates a user in `branchID`.
    public func create(_ scope: AccessScope, branchID: UUID, _ user: NewUser) async throws -> User {
        let passwordHash = try await hash(user.password)
        return try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let rows = try await connection.query("""
                    INSERT INTO users (branch_id, login, name, position, email, phone, roles, department_ids, password_hash,
                                       password_change_required)
                    VALUES (\(branchID), \(user.login), \(user.name), \(user.position), \(user.email), \(user.phone),
                            \(user.roles.map(\.rawValue)), \(user.departmentIDs), \(passwordHash), \(user.passwordChangeRequired))
                    RETURNING \(unescaped: Self.columns)
                    """)
                return try Self.user(rows[0])
            }
        }
    }

    /// Changes the given fields of a user; `.notFound` when the caller cannot change them.
    /// A new password also ends the user's open sessions.
    public func update(_ scope: AccessScope, id: UUID, _ changes: Changes) async throws -> User {
        let passwordHash = try await hash(changes.password.newValue)
        return try await StoreError.translating {
            try await database.withScope(scope) { connection in
                try await Self.refuseOperatorManaged(id, connection)
                let rows = try await connection.query("""
                    UPDATE users
                       SET login = coalesce(\(changes.login.newValue), login),
                           name = coalesce(\(changes.name.newValue), name),
                           position = coalesce(\(changes.position.newValue), position),
                           email = CASE WHEN \(changes.email.isSet) THEN \(changes.email.newValue ?? nil) ELSE email END,
                           phone = CASE WHEN \(changes.phone.isSet) THEN \(changes.phone.newValue ?? nil) ELSE phone END,
                           roles = coalesce(\(changes.roles.newValue?.map(\.rawValue)), roles),
                           department_ids = coalesce(\(changes.departmentIDs.newValue), department_ids),
                           active = coalesce(\(changes.active.newValue), active),
                           password_change_required = coalesce(\(changes.passwordChangeRequired.newValue), password_change_required),
                           updated_at = now()
                     WHERE id = \(id)
                    RETURNING \(unescaped: Self.columns)
                    """)
                guard let row = rows.first else { throw StoreError.notFound }
                let user = try Self.user(row)
                if let passwordHash {
                    // A statement of its own: the service role may write the hash but never read it.
                    try await connection.execute("""
                        UPDATE users SET password_hash = \(passwordHash)
                         WHERE branch_id = \(user.branchId) AND id = \(user.id)
                        """)
                }
                if changes.password.isSet || changes.active.newValue == false {
                    try await connection.execute("""
                        UPDATE sessions SET revoked_at = now()
                         WHERE branch_id = \(user.branchId) AND user_id = \(user.id) AND revoked_at IS NULL
                        """)
                }
                return user
            }
        }
    }

    /// Deletes a user with their sessions and keys; a department they head is left without a head
    /// (by this statement, not by the foreign key, which Citus allows no `SET NULL`).
    public func delete(_ scope: AccessScope, id: UUID) async throws {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                try await Self.refuseOperatorManaged(id, connection)
                try await connection.execute("UPDATE departments SET head_user_id = NULL WHERE head_user_id = \(id)")
                let deleted = try await connection.execute("DELETE FROM users WHERE id = \(id)")
                if deleted == 0 { throw StoreError.notFound }
            }
        }
    }

    /// A new hash of `password` at the configured cost, made before a connection is taken.
    func hash(_ password: String?) async throws -> String? {
        guard let password else { return nil }
        return try await PasswordHasher.hash(password, cost: database.configuration.passwordHashCost)
    }

    /// Throws `.forbidden` when `id` reaches beyond its branch (an executive, an auditor, or a
    /// holder of HQ grants): such people are managed by operators, never by a branch admin. The
    /// row-level security policies on `users` refuse the same change by themselves.
    static func refuseOperatorManaged(_ id: UUID, _ connection: PGConnection) async throws {
        let rows = try await connection.query("""
            SELECT u.roles && ARRAY['executive', 'auditor'] OR u.holds_hq_grants FROM users u WHERE u.id = \(id)
            """)
        if try rows.first?.decode(Bool.self, at: 0) == true { throw StoreError.forbidden }
    }

    static func user(_ row: PGRow) throws -> User {
        User(
            id: try row.decode(at: 1), branchId: try row.decode(at: 0), login: try row.decode(at: 2),
            name: try row.decode(at: 3), position: try row.decode(at: 4), email: try row.decode(at: 5),
            phone: try row.decode(at: 6), roles: try row.decode([String].self, at: 7).compactMap(Role.init(rawValue:)),
            departmentIds: try row.decode(at: 8), active: try row.decode(at: 9), passwordChangeRequired: try row.decode(at: 12),
            createdAt: try row.decode(at: 10), updatedAt: try row.decode(at: 11))
    }
}
