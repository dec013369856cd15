import Foundation
import Postgres
import RedressCore

extension AuthStore {
    /// What came of a person's attempt to replace their own password.
    public enum PasswordChangeOutcome: Sendable, Equatable {
        /// Stored; the person's other sessions are ended and nothing more is required of them.
        case changed
        /// The current password they presented is wrong (counted as a failed sign-in).
        case wrongCurrentPassword
        /// Too many wrong passwords in a row from this client; try again after this many seconds.
        case throttled(retryAfterSeconds: Int)
        /// The session no longer works, or the credential is not a person's session.
        case notSignedIn
    }

    /// Replaces the password of the person signed in with `session` when `current` is their password
    /// (`sql/0042_chosen_passwords_are_changed_by_their_holder.sql`). Both are hashed here; the
    /// database compares hashes only. `client` is the throttle's key, as at sign-in. Runs under the
    /// caller's scope, so the audit trail names them.
    public func changePassword(_ caller: Caller, session: CredentialSecret, current: String, new: String,
                               client: String) async throws -> PasswordChangeOutcome {
        guard case .session = caller.credential else { return .notSignedIn }
        let branch = caller.branchID
        let stored = try await database.pool.query("SELECT auth.password_setting(\(session.hash), \(branch))")
        guard let settingText = try stored.first?.decode(String?.self, at: 0) else { return .notSignedIn }
        let setting = BcryptSetting(settingText) ?? .random(cost: database.configuration.passwordHashCost)
        let presented = try await PasswordHasher.hash(current, setting: setting)
        let replacement = try await PasswordHasher.hash(new, cost: database.configuration.passwordHashCost)
        let row = try await database.withScope(caller.scope) { connection in
            try await connection.query("""
                SELECT outcome, retry_after_seconds
                  FROM auth.change_password(\(session.hash), \(branch), \(client), \(presented), \(replacement),
                                            make_interval(secs => \(database.configuration.signInFirstBlock.inSeconds)))
                """)[0]
        }
        switch try row.decode(String.self, at: 0) {
        case "changed": return .changed
        case "invalid": return .wrongCurrentPassword
        case "throttled": return .throttled(retryAfterSeconds: try row.decode(Int.self, at: 1))
        default: return .notSignedIn
        }
    }
}
