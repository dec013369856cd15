import Foundation
import Postgres
import RedressCore

/// Sign-in, sign-out and credential resolution, through the SECURITY DEFINER functions of
/// `sql/0004_auth.sql` and `sql/0021_passwords_hashed_by_the_service.sql` (the service role
/// cannot read credentials itself). Sign-in is in `AuthStore+SignIn.swift`.
public struct AuthStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// The result of a sign-in attempt.
    public enum SignInOutcome: Sendable, Equatable {
        /// Signed in: the session token (shown once), when it expires, and whether the person must
        /// change their password before anything else.
        case signedIn(token: String, userID: UUID, branchID: UUID, expiresAt: Date, passwordChangeRequired: Bool)
        /// Unknown branch or login, wrong password, or an inactive account; deliberately alike.
        case invalidCredentials
        /// Too many failures in a row from this client at this login (known or not); try again after this many seconds.
        case throttled(retryAfterSeconds: Int)
    }

    /// The caller behind a presented token or API key, or nil when it does not (or no longer) work.
    /// The branch the token carries is where it is looked for.
    public func resolve(_ secret: CredentialSecret) async throws -> Caller? {
        let rows = try await database.pool.query("""
            SELECT credential, credential_id, user_id, branch_id, branch_code, login, name, roles,
                   department_ids, granted_branch_ids, expires_at, password_change_required, channel
              FROM auth.resolve(\(secret.hash), \(secret.branchID))
            """)
        guard let row = rows.first else { return nil }
        let credentialID: UUID = try row.decode(at: 1)
        let credential: Caller.Credential = switch (try row.decode(String.self, at: 0), try row.decode(String?.self, at: 12)) {
        case ("session", _): .session(credentialID)
        case ("intake_key", let channel?): .intakeKey(credentialID, channel: channel)
        default: .apiKey(credentialID)
        }
        return Caller(
            userID: try row.decode(at: 2), branchID: try row.decode(at: 3), branchCode: try row.decode(at: 4),
            login: try row.decode(at: 5), name: try row.decode(at: 6),
            roles: Set(try row.decode([String].self, at: 7).compactMap(Role.init(rawValue:))),
            departmentIDs: Set(try row.decode([UUID].self, at: 8)),
            grantedBranchIDs: Set(try row.decode([UUID].self, at: 9)),
            credential: credential,
            expiresAt: try row.decode(at: 10), passwordChangeRequired: try row.decode(at: 11))
    }

    /// Whether `signature` signs `body` at `timestamp` (within five minutes of now) with the signing
    /// secret of the mail key `caller` presents (`auth.mail_signature_valid`, sql/0058): the secret
    /// never travels with a request, so a request seen cannot be altered or made again later.
    public func mailSignatureValid(_ caller: Caller, body: Data, timestamp: String?, signature: String?, now: Date = Date()) async throws -> Bool {
        guard case .intakeKey(let key, "email") = caller.credential,
              let timestamp, let seconds = Int(timestamp), abs(now.timeIntervalSince1970 - Double(seconds)) <= 300,
              let signature, signature.hasPrefix("v1="), let code = WebhookSignature.hexBytes(signature.dropFirst(3)), code.count == 32
        else { return false }
        return try await database.pool.query("""
            SELECT auth.mail_signature_valid(\(key), \(caller.branchID), \(WebhookSignature.signedBytes(body: body, timestamp: seconds)),
                                             \(Data(code)))
            """)[0].decode(at: 0)
    }

    /// Revokes the caller's session (signing out). API keys are revoked by an admin instead.
    public func signOut(_ caller: Caller) async throws {
        guard case .session(let sessionID) = caller.credential else { return }
        try await database.withScope(caller.scope) { connection in
            try await connection.execute("""
                UPDATE sessions SET revoked_at = now()
                 WHERE branch_id = \(caller.branchID) AND id = \(sessionID) AND revoked_at IS NULL
                """)
        }
    }
}
