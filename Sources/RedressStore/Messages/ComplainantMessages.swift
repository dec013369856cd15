import Foundation
import NIOConcurrencyHelpers
import Postgres
import RedressCore

/// Messages to complainants, written in the transaction of the change they tell of
/// (`sql/0056_messages_to_complainants.sql`): rendered from the branch's template for the event,
/// the complainant's channel and language (else ``MessageWording``), logged in the
/// communications log with personal data and the access code masked, and put in the outbox
/// sealed for the branch's notification gateway. Without an address on the channel a message is
/// `unsent` at once, and without an active gateway when it falls due (`scheduler.claim_messages`),
/// so that staff know to reach the complainant themselves.
enum ComplainantMessages {
    /// Sends `event`'s message about a complaint the caller may work on; `values` fills the
    /// event's own placeholders (``ComplainantMessageEvent/placeholders``), `times` those that are
    /// times (written in the branch's wall clock, as the others), `accessCode` the
    /// confirmation's code, which exists in the clear only at intake. The case's lock is taken
    /// shared, as writers of its rows do (``CaseVisibility``), unless the complaint is new in this
    /// transaction (nobody else can see it yet). With `meetsMilestone` false (a caller who may
    /// work on the case but not change it, such as a collaborating department) its delivery meets
    /// nothing. Returns the message's id.
    @discardableResult
    static func send(_ event: ComplainantMessageEvent, complaintID: UUID, branchID: UUID, caller: Caller,
                     values: [String: String] = [:], times: [String: Date] = [:], accessCode: AccessCode? = nil,
                     newComplaint: Bool = false,
                     meetsMilestone: Bool = true, vault: PersonalDataVault, _ connection: PGConnection) async throws -> UUID {
        if !newComplaint { try await CaseVisibility.lock(complaintID, exclusive: false, connection) }
        guard let facts = try await connection.query(Self.facts(event, complaintID: complaintID, branchID: branchID)).first else {
            throw StoreError.notFound
        }
        let message = try compose(event, facts: facts, complaintID: complaintID, branchID: branchID, caller: caller, values: values,
                                  times: times, accessCode: accessCode, meetsMilestone: meetsMilestone, vault: vault)
        try await connection.pipeline(message.statements)
        return message.id
    }

    /// A message ready to be written: its id, and the statements that log it, put it in the
    /// outbox and wake the deliverer, in order.
    struct Composed {
        var id: UUID
        var statements: [PGQuery]
    }

    /// The statement reading what `event`'s message about a complaint says and where it goes (one
    /// row, read by ``compose``; none when the caller cannot see the complaint).
    static func facts(_ event: ComplainantMessageEvent, complaintID: UUID, branchID: UUID) -> PGQuery {
        """
            SELECT c.case_number, c.complainant_sealed, c.complainant_key_id, c.customer_ref, c.complainant_language,
                   coalesce(c.complainant_channel, 'online'), c.level, c.received_at, coalesce(c.promised_by, c.result_deadline),
                   d.name, b.name, b.time_zone, s.contact, s.public_url, t.subject, t.body
              FROM complaints c JOIN branches b ON b.id = c.branch_id
              LEFT JOIN departments d ON d.branch_id = c.branch_id AND d.id = c.department_id
              LEFT JOIN message_settings s ON s.branch_id = c.branch_id
              LEFT JOIN message_templates t ON t.branch_id = c.branch_id AND t.event = \(event.rawValue)
                                            AND t.channel = coalesce(c.complainant_channel, 'online') AND t.language = c.complainant_language
             WHERE c.branch_id = \(branchID) AND c.id = \(complaintID)
            """
    }

    /// What a complaint about to be written already has and `facts` cannot read yet (at intake):
    /// each stands in for the column when that is null.
    struct Unstored {
        var caseNumber: String?
        var promisedBy: Date?
        var department: String?
        /// The complainant's personal data as intake sealed it, in hand: used instead of opening
        /// the box the facts carry (which intake leaves out).
        var personalData: PersonalData?
    }

    /// `event`'s message from `facts` (a row of ``facts``), as ``send`` describes it.
    static func compose(_ event: ComplainantMessageEvent, facts: PGRow, complaintID: UUID, branchID: UUID, caller: Caller,
                        values: [String: String], times: [String: Date], accessCode: AccessCode?, meetsMilestone: Bool,
                        unstored: Unstored = Unstored(), vault: PersonalDataVault) throws -> Composed {
        let language = ComplainantLanguage(rawValue: try facts.decode(String.self, at: 4)) ?? .simplifiedChinese
        let channel = ComplainantMessageChannel(rawValue: try facts.decode(String.self, at: 5)) ?? .online
        let person = try unstored.personalData ?? facts.decode(Data?.self, at: 1).flatMap { box in
            try facts.decode(String?.self, at: 2).flatMap { vault.open(SealedPersonalData(keyID: $0, box: box), branchID: branchID, complaintID: complaintID) }
        }
        let address: String? = switch channel {
        case .sms: person?.phone
        case .email: person?.email
        case .push, .online: try facts.decode(String?.self, at: 3)
        }
        guard let caseNumber = try facts.decode(String?.self, at: 0) ?? unstored.caseNumber else { throw StoreError.notFound }
        let timeZone = TimeZone(identifier: try facts.decode(String.self, at: 11)) ?? .gmt
        var filled = values.mapValues(Self.plain)
        filled["caseNumber"] = caseNumber
        filled["branch"] = try facts.decode(String.self, at: 10)
        filled["name"] = person?.name.map(Self.plain)
        filled["contact"] = try facts.decode(String?.self, at: 12)
        filled["lookupLink"] = try facts.decode(String?.self, at: 13).map { Self.lookupLink(base: $0, caseNumber: caseNumber) }
        filled["surveyLink"] = filled["lookupLink"].map { $0 + "&survey=1" }
        filled.merge(times.mapValues { Self.format($0, in: timeZone) }) { $1 }
        filled["receivedAt"] = Self.format(try facts.decode(Date.self, at: 7), in: timeZone)
        filled["promisedBy"] = try (facts.decode(Date?.self, at: 8) ?? unstored.promisedBy).map { Self.format($0, in: timeZone) }
        filled["level"] = try facts.decode(Int16?.self, at: 6).map(String.init)
        filled["department"] = try facts.decode(String?.self, at: 9) ?? unstored.department
        for placeholder in event.placeholders where (filled[placeholder] ?? "").isEmpty {
            filled[placeholder] = MessageWording.missing(placeholder, in: language)
        }
        var masked = filled
        masked["name"] = person?.name.map(PersonalDataMask.name) ?? filled["name"]
        if let accessCode {
            filled["accessCode"] = accessCode.description
            masked["accessCode"] = "••••-••••-••••"
        }
        let wording = try Self.wording(event, language: language, subject: facts.decode(at: 14), body: facts.decode(at: 15))
        // A subject is one line: nothing in a value may start a header of the gateway's email.
        let subject = channel == .email ? Self.oneLine(wording.subject.render(filled)) : nil
        let body = wording.body.render(filled)
        let logged = (channel == .email ? "\(Self.oneLine(wording.subject.render(masked)))\n\n" : "") + wording.body.render(masked)
        let id = UUID.timeOrdered()
        let sealed = try address.map { to in
            try vault.seal(SealedMessage(to: to, subject: subject, body: body), branchID: branchID, messageID: id)
        }
        let insert: PGQuery = """
            WITH logged AS (
                INSERT INTO complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by,
                                                      \(unescaped: CaseVisibility.columns))
                SELECT \(branchID), \(complaintID), 'outbound', \(channel.communicationChannel), \(event.communicationKind),
                       \(String(logged.prefix(20000))), \(caller.userID), \(unescaped: CaseVisibility.fromComplaint)
                  FROM complaints c WHERE c.branch_id = \(branchID) AND c.id = \(complaintID)
                RETURNING id, case_department_id, case_collaborating_department_ids, case_responsible_user_id
            )
            INSERT INTO complainant_messages (branch_id, id, complaint_id, event, channel, language, recipient, communication_id,
                                              milestone, sealed_key_id, sealed_box, state, next_attempt_at, last_error, finished_at,
                                              created_by, \(unescaped: CaseVisibility.columns))
            SELECT \(branchID), \(id), \(complaintID), \(event.rawValue), \(channel.rawValue), \(language.rawValue),
                   \(address.map { Self.maskedAddress($0, channel: channel) }), l.id,
                   \(meetsMilestone ? event.milestone?.rawValue : nil), \(sealed?.keyID), \(sealed?.box), \(sealed == nil ? "unsent" : "pending"),
                   CASE WHEN \(sealed != nil) THEN now() END, \(sealed == nil ? "no_address" : nil),
                   CASE WHEN \(sealed == nil) THEN now() END, \(caller.userID),
                   l.case_department_id, l.case_collaborating_department_ids, l.case_responsible_user_id
              FROM logged l
            """
        return Composed(id: id, statements: sealed == nil ? [insert] : [insert, "SELECT pg_notify('redress_deliveries', '')"])
    }

    /// A value as a message may carry it: without control characters but line breaks.
    static func plain(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0 == "\n" || !CharacterSet.controlCharacters.contains($0) }.map(Character.init))
    }

    /// `text` on one line: line breaks become spaces.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The branch's template for the event, else the built-in wording.
    static func wording(_ event: ComplainantMessageEvent, language: ComplainantLanguage, subject: String?,
                        body: String?) throws -> (subject: MessageTemplate, body: MessageTemplate) {
        let builtIn = try builtIn(event, language: language)
        if let body, let saved = try? MessageTemplate(body, placeholders: event.placeholders) {
            guard let subject else { return (builtIn.subject, saved) }
            if let heading = try? MessageTemplate(subject, placeholders: event.placeholders) { return (heading, saved) }
        }
        return builtIn
    }

    /// The built-in wording of `event` in `language`, parsed once.
    static func builtIn(_ event: ComplainantMessageEvent, language: ComplainantLanguage) throws
        -> (subject: MessageTemplate, body: MessageTemplate) {
        let key = "\(event.rawValue) \(language.rawValue)"
        if let parsed = builtInTemplates.withLockedValue({ $0[key] }) { return parsed }
        let text = MessageWording.text(event, in: language)
        let parsed = (subject: try MessageTemplate(text.subject, placeholders: event.placeholders),
                      body: try MessageTemplate(text.body, placeholders: event.placeholders))
        builtInTemplates.withLockedValue { $0[key] = parsed }
        return parsed
    }

    private static let builtInTemplates = NIOLockedValueBox([String: (subject: MessageTemplate, body: MessageTemplate)]())

    /// A Gregorian calendar in each time zone messages were written in (making one is costly).
    private static let calendars = NIOLockedValueBox([String: Calendar]())

    /// The public progress page's address for a case: `base` with the case number as a query item.
    static func lookupLink(base: String, caseNumber: String) -> String {
        (base.contains("?") ? base + "&" : base + "?") + "case=" + caseNumber
    }

    /// A time as complainants read it: the branch's wall clock, to the minute.
    static func format(_ date: Date, in timeZone: TimeZone) -> String {
        let calendar = calendars.withLockedValue { calendars in
            if let known = calendars[timeZone.identifier] { return known }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            calendars[timeZone.identifier] = calendar
            return calendar
        }
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return "\((parts.year ?? 0).zeroPadded(4))-\((parts.month ?? 0).zeroPadded(2))-\((parts.day ?? 0).zeroPadded(2)) "
            + "\((parts.hour ?? 0).zeroPadded(2)):\((parts.minute ?? 0).zeroPadded(2))"
    }

    /// An address as staff see it among the messages: masked like the complainant's own fields.
    static func maskedAddress(_ address: String, channel: ComplainantMessageChannel) -> String {
        switch channel {
        case .sms: return PersonalDataMask.digits(address)
        case .email: return PersonalDataMask.email(address)
        case .push, .online: return PersonalDataMask.digits(address)
        }
    }
}
