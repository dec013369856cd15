import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// Passwords never reach the database: only bcrypt hashes and settings cross the connection, the
/// service role reads neither hashes nor the secret behind made-up settings, and the settings of
/// unknown logins look like real ones.
@Suite("Passwords stay in the service; the database sees hashes it never shows")
struct PasswordSecrecyTests {
    static let schemas = "'public', 'auth', 'scope', 'scheduler', 'audit', 'reports', 'retention'"

    /// With every statement of the database logged with its parameters, creating a user, signing
    /// in right and wrong, upgrading a hash and setting a new password log none of the passwords,
    /// while the logins sent beside them are there: the log would show a password sent as one.
    @Test func noPasswordReachesTheStatementLog() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let superuser = try await PGConnection.connect(PGConnectionConfiguration(try database.superuserURL()))
        defer { superuser.close() }
        try await superuser.executeScript("""
            ALTER DATABASE \(database.name) SET log_statement = 'all';
            ALTER DATABASE \(database.name) SET log_parameter_max_length = -1;
            """)
        let log = try await ServerLog(superuser)
        let start = try await log.size()
        let tag = UUID().uuidString.prefix(8).lowercased()
        let login = "logged-\(tag)"
        let passwords = ["first-\(tag)-password", "wrong-\(tag)-password", "second-\(tag)-password"]
        try await database.withPool { (pool: PGPool) async throws in
            let cheap = ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4))
            let dearer = ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 5))
            let admin = org.caller(.admin, in: org.a).scope
            let user = try await UserStore(database: cheap).create(admin, branchID: org.a.id, .init(
                login: login, name: "Logged", roles: [.agent], password: passwords[0]))
            let auth = AuthStore(database: dearer)
            #expect(try await auth.signIn(branchCode: org.a.code, login: login, password: passwords[1], client: "192.0.2.9")
                    == .invalidCredentials)
            let signedIn = try await auth.signIn(branchCode: org.a.code, login: login, password: passwords[0], client: "192.0.2.9")
            guard case .signedIn = signedIn else { Issue.record("sign-in failed: \(signedIn)"); return }
            var changes = UserStore.Changes()
            changes.password = .set(passwords[2])
            _ = try await UserStore(database: cheap).update(admin, id: user.id, changes)
            let again = try await auth.signIn(branchCode: org.a.code, login: login, password: passwords[2], client: "192.0.2.9")
            guard case .signedIn = again else { Issue.record("sign-in with the new password failed: \(again)"); return }
        }
        let text = try await log.text(from: start)
        #expect(text.contains("auth.sign_in_finish") && text.contains("auth.upgrade_password_hash"),
                "the sign-ins' statements were logged")
        #expect(text.contains("'\(login)'"), "parameters were logged beside their statements")
        for password in passwords {
            #expect(!text.contains(password), "\(password) reached the statement log")
        }
    }

    /// No function the service role may call takes an argument named like a password or secret,
    /// and auth.sign_in, which took the password, is gone.
    @Test func noFunctionTheServiceCallsTakesAPassword() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool { (pool: PGPool) async throws in
            let taking: [String] = try await pool.query("""
                SELECT DISTINCT p.oid::regprocedure::text
                  FROM pg_proc p,
                       unnest(coalesce(p.proargnames, '{}'),
                              coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[coalesce(cardinality(p.proargnames), 0)]))) AS a (name, mode)
                 WHERE has_function_privilege(current_user, p.oid, 'EXECUTE')
                   AND p.pronamespace::regnamespace::text IN (\(unescaped: Self.schemas))
                   AND a.mode IN ('i', 'b', 'v')
                   AND a.name ~* '(^|_)(pass(word|wd)?|pwd|secret|plain(text)?)(_|$)' AND a.name !~* 'hash'
                """).map { try $0.decode(at: 0) }
            #expect(taking.isEmpty, "functions taking a password: \(taking)")
            let signIn: Int = try await pool.query("""
                SELECT count(*)::integer FROM pg_proc WHERE pronamespace = 'auth'::regnamespace AND proname = 'sign_in'
                """)[0].decode(at: 0)
            #expect(signIn == 0, "auth.sign_in, which took the password, is gone")
        }
    }

    /// The service role reads no hash, no throttling counter and not the secret behind made-up
    /// salts, whether it names the column, the whole row or only filters on it.
    @Test func theServiceRoleCannotReadPasswordHashes() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool { (pool: PGPool) async throws in
            let scoped = ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4))
            let admin = org.caller(.admin, in: org.a).scope
            for statement in ["SELECT password_hash FROM users", "SELECT u.* FROM users u", "SELECT u FROM users u",
                              "SELECT count(*) FROM users WHERE password_hash LIKE '$2a$%'",
                              "SELECT secret FROM auth.sign_in_secret", "SELECT failures FROM auth.sign_in_failures"] {
                let error = await #expect(throws: PGError.self, "\(statement) ran") {
                    try await scoped.withScope(admin) { connection in
                        try await connection.query(PGQuery(unsafeSQL: statement))
                    }
                }
                #expect(error?.sqlState == .insufficientPrivilege, "\(statement)")
            }
            let setting: String = try await pool.query("""
                SELECT setting FROM auth.sign_in_salt(\(org.a.code), 'agent', '192.0.2.1', 4)
                """)[0].decode(at: 0)
            #expect(setting.utf8.count == 29, "the salt call answers with the setting, not the hash")
        }
    }

    /// An unknown login, an unknown branch, a bot and an inactive user get a setting of the
    /// configured cost that looks like a real one and stays the same from call to call.
    @Test func madeUpSettingsLookLikeRealOnesAndStayTheSame() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let stored: [String: String] = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("UPDATE users SET active = false WHERE branch_id = \(org.a.id) AND login = 'handler'")
            return try await owner.query("""
                SELECT login, left(password_hash, 29) FROM users WHERE branch_id = \(org.a.id) AND password_hash IS NOT NULL
                """).reduce(into: [:]) { $0[try $1.decode(String.self, at: 0)] = try $1.decode(String.self, at: 1) }
        }
        try await database.withPool { (pool: PGPool) async throws in
            func setting(_ branch: String, _ login: String, cost: Int = 4) async throws -> String {
                let row = try await pool.query("""
                    SELECT outcome, setting FROM auth.sign_in_salt(\(branch), \(login), '192.0.2.1', \(cost)::integer)
                    """)[0]
                #expect(try row.decode(String.self, at: 0) == "salt")
                return try row.decode(at: 1)
            }
            let real = try await setting(org.a.code, "agent")
            #expect(real == stored["agent"], "a real login gets its stored setting")
            let madeUp = [try await setting(org.a.code, "nobody.here"), try await setting(org.a.code, "nobody.else"),
                          try await setting(org.b.code, "nobody.here"), try await setting("no-such-branch", "agent"),
                          try await setting(org.a.code, "bot"), try await setting(org.a.code, "handler")]
            #expect(madeUp[5] != stored["handler"], "an inactive user's real setting is not shown")
            let form = try Regex(#"\$2a\$04\$[./A-Za-z0-9]{21}[.Oeu]"#)
            for value in [real] + madeUp {
                #expect(value.wholeMatch(of: form) != nil, "\(value) has the form of a stored setting")
                #expect(BcryptSetting(value)?.cost == 4, "\(value) is a setting the service hashes with")
            }
            #expect(Set([real] + madeUp).count == 7, "every login gets a setting of its own")
            #expect(try await setting(org.a.code, "nobody.here") == madeUp[0], "the same on every call")
            #expect(try await setting(org.a.code, "nobody.here", cost: 12).hasPrefix("$2a$12$"), "at the configured cost")
        }
    }

    /// Hashes made by pgcrypto before this service hashed passwords verify in Swift, and the
    /// service's hashes verify in pgcrypto: the same bcrypt, non-ASCII and long passwords included.
    @Test func swiftAndPgcryptoHashAlike() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let passwords = ["correct-horse-battery", "pässwörd-ünïcødé-密码-🔑", String(repeating: "long-", count: 20),
                             String(repeating: "é", count: 127) + "x"]
            for password in passwords {
                let setting = BcryptSetting.random(cost: 4)
                let pgcrypto: String = try await owner.query("SELECT crypt(\(password), \(setting.text))")[0].decode(at: 0)
                #expect(try await PasswordHasher.hash(password, setting: setting) == pgcrypto, "\(password)")
            }
        }
    }

    /// A hash is replaced only by a bcrypt hash and only while the caller knows the current one.
    @Test func hashesAreReplacedOnlyByHashesAndOnlyByWhoeverKnowsTheCurrentOne() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool { (pool: PGPool) async throws in
            let setting: String = try await pool.query(
                "SELECT setting FROM auth.sign_in_salt(\(org.a.code), 'agent', '192.0.2.1', 4)")[0].decode(at: 0)
            let current = try await PasswordHasher.hash(TestOrganisation.password, setting: try #require(BcryptSetting(setting)))
            let fresh = try await PasswordHasher.hash(TestOrganisation.password, cost: 5)
            func upgrade(_ current: String, _ new: String) async throws -> Bool {
                try await pool.query("SELECT auth.upgrade_password_hash(\(org.a.code), 'agent', \(current), \(new))")[0].decode(at: 0)
            }
            let guessed = try await PasswordHasher.hash("not-the-password", setting: try #require(BcryptSetting(setting)))
            #expect(try await upgrade(guessed, fresh) == false, "a wrong current hash replaces nothing")
            let error = await #expect(throws: PGError.self) { try await upgrade(current, "a-plain-password") }
            #expect(error?.sqlState == .checkViolation, "only a bcrypt hash is stored")
            #expect(try await upgrade(current, fresh))
            let outcome = try await AuthStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 5)))
                .signIn(branchCode: org.a.code, login: "agent", password: TestOrganisation.password, client: "192.0.2.1")
            guard case .signedIn = outcome else { Issue.record("sign-in after the upgrade failed: \(outcome)"); return }
        }
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let error = await #expect(throws: PGError.self) {
                try await owner.query("UPDATE users SET password_hash = 'correct-horse-battery' WHERE branch_id = \(org.a.id) AND login = 'agent'")
            }
            #expect(error?.sqlState == .checkViolation, "not even the owner stores a password as a hash")
        }
    }
}

/// The cluster's server log, read by the superuser from where it is written.
struct ServerLog {
    let connection: PGConnection
    let path: String

    /// Finds the log: the logging collector's current file, or `postgres.log` beside the data
    /// directory, where the local cluster's `pg_ctl -l` writes it.
    init(_ superuser: PGConnection) async throws {
        connection = superuser
        path = try await superuser.query("""
            SELECT coalesce(pg_current_logfile(), current_setting('data_directory') || '/../postgres.log')
            """)[0].decode(at: 0)
    }

    /// The log's size in bytes now.
    func size() async throws -> Int {
        try await connection.query("SELECT (pg_stat_file(\(path))).size::bigint")[0].decode(Int.self, at: 0)
    }

    /// What was logged from byte `offset` on.
    func text(from offset: Int) async throws -> String {
        let bytes: Data = try await connection.query("""
            SELECT pg_read_binary_file(\(path), \(offset)::bigint, greatest((pg_stat_file(\(path))).size - \(offset), 0))
            """)[0].decode(at: 0)
        return String(decoding: bytes, as: UTF8.self)
    }
}
