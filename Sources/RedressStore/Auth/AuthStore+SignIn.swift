import Foundation
import Postgres
import RedressCore

extension AuthStore {
    /// Checks `password` for `login` of the branch with `branchCode` and opens a session. `client`
    /// names the caller's address (the key of the per-client throttle). The password is hashed
    /// here with the setting the database hands out (`auth.sign_in_salt`) and only the hash is
    /// sent (`auth.sign_in_finish`); a hash of another cost than the configured one is replaced
    /// by a fresh one after the sign-in succeeds.
    public func signIn(branchCode: String, login: String, password: String, client: String) async throws -> SignInOutcome {
        let cost = database.configuration.passwordHashCost
        let salt = try await database.pool.query("""
            SELECT outcome, setting, retry_after_seconds
              FROM auth.sign_in_salt(\(branchCode), \(login), \(client), \(cost)::integer)
            """)[0]
        if try salt.decode(String.self, at: 0) == "throttled" {
            return .throttled(retryAfterSeconds: try salt.decode(Int.self, at: 2))
        }
        // A stored hash that is not bcrypt matches nothing; the work is spent all the same.
        let setting = BcryptSetting(try salt.decode(String.self, at: 1)) ?? .random(cost: cost)
        let computed = try await PasswordHasher.hash(password, setting: setting)
        let secret = CredentialSecret(kind: .session)
        let row = try await database.pool.query("""
            SELECT outcome, user_id, branch_id, expires_at, retry_after_seconds
              FROM auth.sign_in_finish(\(branchCode), \(login), \(client), \(computed), \(secret.hash),
                                       make_interval(secs => \(database.configuration.sessionLifetime.inSeconds)),
                                       make_interval(secs => \(database.configuration.signInFirstBlock.inSeconds)))
            """)[0]
        switch try row.decode(String.self, at: 0) {
        case "ok":
            if setting.cost != cost {
                try await upgradeHash(branchCode: branchCode, login: login, password: password, current: computed, cost: cost)
            }
            let branchID: UUID = try row.decode(at: 2)
            let session = secret.carrying(branch: branchID)
            let changeRequired = try await resolve(session)?.passwordChangeRequired ?? false
            return .signedIn(token: session.token, userID: try row.decode(at: 1), branchID: branchID,
                             expiresAt: try row.decode(at: 3), passwordChangeRequired: changeRequired)
        case "throttled":
            return .throttled(retryAfterSeconds: try row.decode(Int.self, at: 4))
        default:
            return .invalidCredentials
        }
    }

    /// Stores a fresh hash of `password` at `cost` in place of `current`, the hash it signed in with
    /// (kept when the password changed in the meantime).
    func upgradeHash(branchCode: String, login: String, password: String, current: String, cost: Int) async throws {
        let fresh = try await PasswordHasher.hash(password, cost: cost)
        try await database.pool.query("""
            SELECT auth.upgrade_password_hash(\(branchCode), \(login), \(current), \(fresh))
            """)
    }
}
