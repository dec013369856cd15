import Foundation
import Postgres
import RedressCore

/// What complainants are sent: the branch's templates and message settings (its admins write
/// them, RLS enforces), the messages of a complaint with their delivery state, and progress
/// updates a handler sends.
public struct MessageStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// A branch's own wording for an event on a channel in a language.
    public struct Template: Sendable, Equatable {
        public var event: ComplainantMessageEvent
        public var channel: ComplainantMessageChannel
        public var language: ComplainantLanguage
        public var subject: String?
        public var body: String
        public var updatedAt: Date
    }

    /// What every message of a branch may name.
    public struct Settings: Sendable, Equatable {
        /// How complainants reach the branch (a hotline, an address), for `{{contact}}`.
        public var contact: String?
        /// The public progress page, for `{{lookupLink}}` (the case number is added as `case`).
        public var publicURL: String?

        /// Creates settings.
        public init(contact: String?, publicURL: String?) {
            self.contact = contact
            self.publicURL = publicURL
        }
    }

    /// One message to a complainant and how its delivery went.
    public struct Notification: Sendable, Equatable {
        public var id: UUID
        public var complaintId: UUID
        public var event: ComplainantMessageEvent
        public var channel: ComplainantMessageChannel
        public var language: ComplainantLanguage
        /// The address, masked.
        public var recipient: String?
        public var communicationId: UUID
        /// `pending`, `delivered`, `dead` or `unsent`.
        public var state: String
        public var attempts: Int
        public var nextAttemptAt: Date?
        /// Why it was not delivered: an error class, `no_gateway` or `no_address`.
        public var lastError: String?
        public var createdAt: Date
        public var deliveredAt: Date?
    }

    /// Why a template is refused: the field and the problem.
    static func checked(_ text: String, field: String, event: ComplainantMessageEvent) throws {
        do {
            _ = try MessageTemplate(text, placeholders: event.placeholders)
        } catch {
            throw StoreError.invalidValue(field: field, message: "\(error.description); \(event.rawValue) knows "
                                          + event.placeholders.sorted().map { "{{\($0)}}" }.joined(separator: ", "))
        }
    }

    /// The templates the caller's branch saved.
    public func templates(_ caller: Caller) async throws -> [Template] {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            try await connection.query("""
                SELECT event, channel, language, subject, body, updated_at FROM message_templates
                 WHERE branch_id = \(caller.branchID) ORDER BY event, channel, language
                """).map(Self.template)
        }
    }

    /// Saves the branch's wording for `event` on `channel` in `language`; every placeholder must be
    /// one the event knows.
    public func saveTemplate(_ caller: Caller, event: ComplainantMessageEvent, channel: ComplainantMessageChannel,
                             language: ComplainantLanguage, subject: String?, body: String) async throws -> Template {
        if let subject { try Self.checked(subject, field: "/subject", event: event) }
        try Self.checked(body, field: "/body", event: event)
        return try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                guard let row = try await connection.query("""
                    INSERT INTO message_templates (branch_id, event, channel, language, subject, body, updated_by)
                    VALUES (\(caller.branchID), \(event.rawValue), \(channel.rawValue), \(language.rawValue), \(subject), \(body), \(caller.userID))
                    ON CONFLICT (branch_id, event, channel, language)
                    DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_by = excluded.updated_by, updated_at = now()
                    RETURNING event, channel, language, subject, body, updated_at
                    """).first else { throw StoreError.forbidden }
                return try Self.template(row)
            }
        }
    }

    /// Removes the branch's wording, so the built-in one is used again; `.notFound` when there was none.
    public func removeTemplate(_ caller: Caller, event: ComplainantMessageEvent, channel: ComplainantMessageChannel,
                               language: ComplainantLanguage) async throws {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let removed = try await connection.query("""
                    DELETE FROM message_templates
                     WHERE branch_id = \(caller.branchID) AND event = \(event.rawValue) AND channel = \(channel.rawValue)
                       AND language = \(language.rawValue)
                    RETURNING 1
                    """)
                if removed.isEmpty { throw StoreError.notFound }
            }
        }
    }

    /// The caller's branch's message settings (empty when none were saved).
    public func settings(_ caller: Caller) async throws -> Settings {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            let row = try await connection.query("""
                SELECT contact, public_url FROM message_settings WHERE branch_id = \(caller.branchID)
                """).first
            return Settings(contact: try row?.decode(at: 0), publicURL: try row?.decode(at: 1))
        }
    }

    /// Replaces the caller's branch's message settings.
    public func saveSettings(_ caller: Caller, _ settings: Settings) async throws -> Settings {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                guard let row = try await connection.query("""
                    INSERT INTO message_settings (branch_id, contact, public_url, updated_by)
                    VALUES (\(caller.branchID), \(settings.contact), \(settings.publicURL), \(caller.userID))
                    ON CONFLICT (branch_id)
                    DO UPDATE SET contact = excluded.contact, public_url = excluded.public_url, updated_by = excluded.updated_by,
                                  updated_at = now()
                    RETURNING contact, public_url
                    """).first else { throw StoreError.forbidden }
                return Settings(contact: try row.decode(at: 0), publicURL: try row.decode(at: 1))
            }
        }
    }

    /// The messages sent about a complaint the caller can see, oldest first.
    public func notifications(_ scope: AccessScope, complaintID: UUID) async throws -> [Notification] {
        try await database.withScope(scope, readOnly: true) { connection in
            let branch = try await CaseWorkStore.visibleBranch(of: complaintID, connection)
            return try await connection.query("""
                SELECT \(unescaped: Self.notificationColumns) FROM complainant_messages
                 WHERE branch_id = \(branch) AND complaint_id = \(complaintID) ORDER BY created_at, id
                """).map(Self.notification)
        }
    }

    /// Sends the complainant a handler's progress update (the event `progress_update`); its
    /// delivery meets the preliminary feedback milestone when the caller may change the complaint
    /// (not when a collaborating department sends it, as with a logged call).
    public func sendProgressUpdate(_ caller: Caller, complaintID: UUID, text: String) async throws -> Notification {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let branch = try await CaseVisibility.lockShared(complaintID, connection)
                let facts = try await connection.query("""
                    SELECT c.status, coalesce(c.branch_id = ANY (scope.case_write_branch_ids()::uuid[])
                                              OR c.department_id = ANY (scope.department_ids()::uuid[]), false)
                      FROM complaints c WHERE c.branch_id = \(branch) AND c.id = \(complaintID)
                    """)[0]
                guard let status = ComplaintStatus(rawValue: try facts.decode(String.self, at: 0)), status.isOpen else {
                    throw StoreError.conflict(field: "status", message: "the complaint is closed: it takes no progress updates")
                }
                let id = try await ComplainantMessages.send(.progressUpdate, complaintID: complaintID, branchID: branch, caller: caller,
                                                            values: ["update": text], meetsMilestone: try facts.decode(Bool.self, at: 1),
                                                            vault: database.configuration.vault, connection)
                let rows = try await connection.query("""
                    SELECT \(unescaped: Self.notificationColumns) FROM complainant_messages WHERE branch_id = \(branch) AND id = \(id)
                    """)
                return try Self.notification(rows[0])
            }
        }
    }

    static let notificationColumns = """
        id, complaint_id, event, channel, language, recipient, communication_id, state, attempts, next_attempt_at, last_error,
        created_at, delivered_at
        """

    static func notification(_ row: PGRow) throws -> Notification {
        Notification(id: try row.decode(at: 0), complaintId: try row.decode(at: 1),
                     event: ComplainantMessageEvent(rawValue: try row.decode(at: 2)) ?? .received,
                     channel: ComplainantMessageChannel(rawValue: try row.decode(at: 3)) ?? .online,
                     language: ComplainantLanguage(rawValue: try row.decode(at: 4)) ?? .simplifiedChinese,
                     recipient: try row.decode(at: 5), communicationId: try row.decode(at: 6), state: try row.decode(at: 7),
                     attempts: try row.decode(at: 8), nextAttemptAt: try row.decode(at: 9),
                     lastError: Self.errorClass(try row.decode(at: 10)), createdAt: try row.decode(at: 11),
                     deliveredAt: try row.decode(at: 12))
    }

    /// A message's error as staff see it: why it was not sent, or the gateway's error class.
    static func errorClass(_ stored: String?) -> String? {
        if let stored, ["no_gateway", "no_address", "sealed"].contains(stored) { return stored }
        return WebhookStore.errorClass(stored)
    }

    static func template(_ row: PGRow) throws -> Template {
        Template(event: ComplainantMessageEvent(rawValue: try row.decode(at: 0)) ?? .received,
                 channel: ComplainantMessageChannel(rawValue: try row.decode(at: 1)) ?? .online,
                 language: ComplainantLanguage(rawValue: try row.decode(at: 2)) ?? .simplifiedChinese,
                 subject: try row.decode(at: 3), body: try row.decode(at: 4), updatedAt: try row.decode(at: 5))
    }
}
