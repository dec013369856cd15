import Foundation
import Postgres
import RedressCore

/// Webhooks, where a recipient's pages are posted or, for a branch's notification gateway, its
/// messages to complainants, and how their deliveries went. A branch's
/// admins manage them (enforced by RLS). The signing secret is shown once, when it is made.
public struct WebhookStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// A webhook as the API shows it (never with its secret).
    public struct Webhook: Sendable, Codable, Equatable {
        public var id: UUID
        public var branchId: UUID
        /// `pages` (a bot's pages), `gateway` (the branch's messages to complainants) or `events`
        /// (the branch's complaint events).
        public var kind: String
        /// The bot whose pages are posted; nil for a gateway.
        public var userId: UUID?
        public var url: String
        public var active: Bool
        /// For `events`: whether an operator granted the complainant's name and contacts.
        public var personalData: Bool
        public var createdAt: Date
        public var updatedAt: Date
        /// The signing secret: only in the answer that created or rotated it.
        public var secret: String?
    }

    /// One page's delivery to one webhook, with every attempt.
    public struct Delivery: Sendable, Codable, Equatable {
        public var id: UUID
        public var pageId: UUID
        public var state: String
        public var attempts: Int
        public var nextAttemptAt: Date?
        public var lastError: String?
        public var createdAt: Date
        public var finishedAt: Date?
        public var history: [Attempt]
    }

    /// One delivery attempt.
    public struct Attempt: Sendable, Codable, Equatable {
        public var attempt: Int
        public var startedAt: Date
        public var durationMs: Int
        public var statusCode: Int?
        public var error: String?
    }

    static let columns = "id, branch_id, user_id, url, active, created_at, updated_at, kind, personal_data"

    /// Every webhook the caller administers.
    public func list(_ scope: AccessScope) async throws -> [Webhook] {
        try await database.withScope(scope, readOnly: true) { connection in
            try await connection.query("SELECT \(unescaped: Self.columns) FROM webhooks ORDER BY created_at, id").map { try Self.webhook($0) }
        }
    }

    /// Adds a webhook for the bot `userID`'s pages, with a fresh signing secret. Only bots: a
    /// person's pages carry summaries of complaints the admin is not to see.
    public func create(_ scope: AccessScope, branchID: UUID, userID: UUID, url: String) async throws -> Webhook {
        let secret = CredentialSecret(kind: .webhookSecret).token
        return try await StoreError.translating {
            try await database.withScope(scope) { connection in
                guard let row = try await connection.query("""
                    INSERT INTO webhooks (branch_id, user_id, url, secret)
                    SELECT u.branch_id, u.id, \(url), \(secret) FROM users u
                     WHERE u.branch_id = \(branchID) AND u.id = \(userID) AND 'bot' = ANY (u.roles)
                    RETURNING \(unescaped: Self.columns)
                    """).first else {
                    throw StoreError.invalidReference(field: "/userId", message: "is not a bot of this branch")
                }
                return try Self.webhook(row, secret: secret)
            }
        }
    }

    /// Adds the branch's notification gateway, with a fresh signing secret; a conflict while
    /// another is active.
    public func createGateway(_ scope: AccessScope, branchID: UUID, url: String) async throws -> Webhook {
        let secret = CredentialSecret(kind: .webhookSecret).token
        return try await StoreError.translating {
            try await database.withScope(scope) { connection in
                if try await connection.query("""
                    SELECT FROM webhooks WHERE branch_id = \(branchID) AND kind = 'gateway' AND active
                    """).first != nil {
                    throw StoreError.conflict(field: "/kind", message: "the branch has an active gateway; deactivate it first")
                }
                guard let row = try await connection.query("""
                    INSERT INTO webhooks (branch_id, kind, url, secret) VALUES (\(branchID), 'gateway', \(url), \(secret))
                    RETURNING \(unescaped: Self.columns)
                    """).first else { throw StoreError.forbidden }
                return try Self.webhook(row, secret: secret)
            }
        }
    }

    /// Adds an events webhook of the branch, with a fresh signing secret, and its feed, which
    /// starts with the events of transactions that end from now on; without personal data until
    /// an operator grants it.
    public func createEvents(_ scope: AccessScope, branchID: UUID, url: String) async throws -> Webhook {
        let secret = CredentialSecret(kind: .webhookSecret).token
        guard try await !database.hasCitus() else { throw Self.noFeedOnCitus(field: "/kind") }
        return try await StoreError.translating {
            try await database.withScope(scope) { connection in
                guard let row = try await connection.query("""
                    INSERT INTO webhooks (branch_id, kind, url, secret) VALUES (\(branchID), 'events', \(url), \(secret))
                    RETURNING \(unescaped: Self.columns)
                    """).first else { throw StoreError.forbidden }
                let webhook = try Self.webhook(row, secret: secret)
                try await connection.execute("INSERT INTO event_feeds (branch_id, webhook_id) VALUES (\(branchID), \(webhook.id))")
                return webhook
            }
        }
    }

    /// Changes a webhook's address or whether it is active, or gives it a new secret (returned once).
    public func update(_ scope: AccessScope, id: UUID, url: String?, active: Bool?, rotateSecret: Bool) async throws -> Webhook {
        let secret = rotateSecret ? CredentialSecret(kind: .webhookSecret).token : nil
        let citus = try await database.hasCitus()
        return try await StoreError.translating {
            try await database.withScope(scope) { connection in
                guard let row = try await connection.query("""
                    UPDATE webhooks SET url = coalesce(\(url), url), active = coalesce(\(active), active), updated_at = now()
                     WHERE id = \(id)
                    RETURNING \(unescaped: Self.columns)
                    """).first else { throw StoreError.notFound }
                let webhook = try Self.webhook(row, secret: secret)
                if active == true, webhook.kind == "events", citus { throw Self.noFeedOnCitus(field: "/active") }
                // The service may write the secret but never read it, so a new one is set on its own.
                if let secret { try await connection.execute("UPDATE webhooks SET secret = \(secret) WHERE id = \(id)") }
                return webhook
            }
        }
    }

    /// The refusal of an events webhook on Citus, where the feed's position (a transaction id of
    /// one node) and its order (by id, handed out in per-node ranges) do not hold (docs/scaling.md).
    static func noFeedOnCitus(field: String) -> StoreError {
        .invalidValue(field: field, message: "events webhooks are not supported on a database distributed by Citus")
    }

    /// A webhook's deliveries, newest first, with their attempts; `state` keeps one state.
    public func deliveries(_ scope: AccessScope, webhookID: UUID, state: String?, limit: Int) async throws -> [Delivery] {
        try await database.withScope(scope, readOnly: true) { connection in
            guard try await connection.query("SELECT FROM webhooks WHERE id = \(webhookID)").first != nil else { throw StoreError.notFound }
            return try await connection.query("""
                SELECT d.id, d.page_id, d.state, d.attempts, d.next_attempt_at, d.last_error, d.created_at, d.finished_at,
                       coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'startedAt', a.started_at,
                                                                     'durationMs', a.duration_ms, 'statusCode', a.status_code,
                                                                     'error', a.error) ORDER BY a.attempt)
                                   FROM delivery_attempts a WHERE a.branch_id = d.branch_id AND a.delivery_id = d.id), '[]'::jsonb)
                  FROM page_deliveries d
                 WHERE d.webhook_id = \(webhookID) AND (\(state)::text IS NULL OR d.state = \(state))
                 ORDER BY d.created_at DESC, d.id LIMIT \(Int32(limit))
                """).map { row in
                Delivery(id: try row.decode(at: 0), pageId: try row.decode(at: 1), state: try row.decode(at: 2), attempts: try row.decode(at: 3),
                         nextAttemptAt: try row.decode(at: 4), lastError: Self.errorClass(try row.decode(at: 5)), createdAt: try row.decode(at: 6),
                         finishedAt: try row.decode(at: 7),
                         history: try row.decode(PGJSON<[Attempt]>.self, at: 8).value.map { var attempt = $0; attempt.error = Self.errorClass(attempt.error); return attempt })
            }
        }
    }

    /// The error classes deliveries record (`timeout`, `refused`, `tls`, `blocked_address`, `dns`,
    /// `http <status>`); anything else, such as the text of an error recorded before classes
    /// existed, reads as `refused`, so no error text reaches the branch.
    static func errorClass(_ stored: String?) -> String? {
        guard let stored else { return nil }
        if ["timeout", "refused", "tls", "blocked_address", "dns"].contains(stored) { return stored }
        let words = stored.split(separator: " ")
        if words.count == 2, words[0].lowercased() == "http", let code = Int(words[1]), (100...599).contains(code) { return "http \(code)" }
        return "refused"
    }

    static func webhook(_ row: PGRow, secret: String? = nil) throws -> Webhook {
        Webhook(id: try row.decode(at: 0), branchId: try row.decode(at: 1), kind: try row.decode(at: 7), userId: try row.decode(at: 2),
                url: try row.decode(at: 3),
                active: try row.decode(at: 4), personalData: try row.decode(at: 8), createdAt: try row.decode(at: 5), updatedAt: try row.decode(at: 6), secret: secret)
    }
}
