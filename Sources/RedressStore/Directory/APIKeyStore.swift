import Foundation
import Postgres
import RedressCore

/// API keys of the caller's branch: bots' keys, and intake keys with which channels take
/// complaints in. The secret is returned once, at creation; the database
/// keeps its SHA-256 only.
public struct APIKeyStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    static let columns = "branch_id, id, user_id, name, key_prefix, created_by, created_at, expires_at, revoked_at, channel"

    /// Keys visible to `scope` (an admin's branch, or a bot's own), ordered by name.
    public func list(_ scope: AccessScope, page: PageRequest) async throws -> Page<APIKey> {
        try await database.withScope(scope, readOnly: true) { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.columns) FROM api_keys
                 WHERE (\(page.after == nil) OR (name, id) > (\(page.after?.key ?? ""), \(page.after?.id ?? PageCursor.origin)))
                 ORDER BY name, id LIMIT \(page.limit + 1)
                """)
            return page.page(from: try rows.map(Self.apiKey), key: \.name, id: \.id)
        }
    }

    /// Issues a key for the bot user `userID` of `branchID`; returns the record and the secret.
    public func create(
        _ scope: AccessScope, branchID: UUID, userID: UUID, name: String, expiresAt: Date?, createdBy: UUID?
    ) async throws -> (key: APIKey, secret: String) {
        let secret = CredentialSecret(kind: .apiKey, branch: branchID)
        let key = try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let rows = try await connection.query("""
                    INSERT INTO api_keys (branch_id, user_id, name, key_prefix, key_hash, created_by, expires_at, user_is_bot)
                    SELECT u.branch_id, u.id, \(name), \(secret.displayPrefix), \(secret.hash), \(createdBy), \(expiresAt), true
                      FROM users u
                     WHERE u.branch_id = \(branchID) AND u.id = \(userID) AND 'bot' = ANY (u.roles) AND u.is_bot
                    RETURNING \(unescaped: Self.columns)
                    """)
                guard let row = rows.first else {
                    throw StoreError.invalidReference(field: "/userId", message: "is not a bot of this branch")
                }
                return try Self.apiKey(row)
            }
        }
        return (key, secret.token)
    }

    /// Issues an intake key of `branchID` for `channel`, with a user of its own (role `intake`
    /// alone, named as the key) as whom it takes complaints in; returns the record, the secret and,
    /// for a mail gateway's key (channel `email`), the secret it signs what it passes on with.
    public func createIntake(
        _ scope: AccessScope, branchID: UUID, channel: String, name: String, expiresAt: Date?, createdBy: UUID?
    ) async throws -> (key: APIKey, secret: String, signingSecret: String?) {
        let secret = CredentialSecret(kind: .apiKey, branch: branchID)
        let signing = channel == "email" ? CredentialSecret(kind: .webhookSecret).token : nil
        let key = try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let rows = try await connection.query("""
                    WITH taker AS (
                        INSERT INTO users (branch_id, login, name, roles)
                        VALUES (\(branchID), 'intake.' || replace(gen_random_uuid()::text, '-', ''), \(name), ARRAY['intake'])
                        RETURNING branch_id, id
                    )
                    INSERT INTO api_keys (branch_id, user_id, name, key_prefix, key_hash, created_by, expires_at, channel, user_is_intake,
                                          signing_secret)
                    SELECT t.branch_id, t.id, \(name), \(secret.displayPrefix), \(secret.hash), \(createdBy), \(expiresAt), \(channel), true,
                           \(signing)
                      FROM taker t
                    RETURNING \(unescaped: Self.columns)
                    """)
                guard let row = rows.first else { throw StoreError.forbidden }
                return try Self.apiKey(row)
            }
        }
        return (key, secret.token, signing)
    }

    /// Revokes a key; it stops working at once. Revoking twice is harmless.
    public func revoke(_ scope: AccessScope, id: UUID) async throws -> APIKey {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let rows = try await connection.query("""
                    UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = \(id)
                    RETURNING \(unescaped: Self.columns)
                    """)
                guard let row = rows.first else { throw StoreError.notFound }
                return try Self.apiKey(row)
            }
        }
    }

    static func apiKey(_ row: PGRow) throws -> APIKey {
        APIKey(
            id: try row.decode(at: 1), branchId: try row.decode(at: 0), userId: try row.decode(at: 2), channel: try row.decode(at: 9),
            name: try row.decode(at: 3), prefix: try row.decode(at: 4), createdBy: try row.decode(at: 5),
            createdAt: try row.decode(at: 6), expiresAt: try row.decode(at: 7), revokedAt: try row.decode(at: 8))
    }
}
