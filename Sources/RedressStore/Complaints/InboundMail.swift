import Crypto
import Foundation
import Postgres
import RedressCore

/// A message a branch's mail gateway passes on (`POST /v1/inbound/email`).
public struct InboundMail: Sendable, Equatable {
    /// The sender as the mail says it: `Li Lei <li@example.com>` or the address alone.
    public var from: String
    public var subject: String
    public var text: String
    /// The mail's Message-ID, which makes a retried post find what the first one did.
    public var messageID: String
    /// Whether the gateway verified that the mail comes from the domain of its `From` address
    /// (DMARC, or SPF and DKIM aligned): only then is a reply added to the case it names.
    public var senderVerified: Bool

    /// Creates a message.
    public init(from: String, subject: String, text: String, messageID: String, senderVerified: Bool) {
        self.from = from
        self.subject = subject
        self.text = text
        self.messageID = messageID
        self.senderVerified = senderVerified
    }

    /// The sender's address, lower-cased, and the name before it, if any; nil when `from` holds no address.
    public var sender: (address: String, name: String?)? {
        let trimmed = from.trimmingCharacters(in: .whitespaces)
        if let match = trimmed.wholeMatch(of: /(?<name>[^<]*)<(?<address>[^<>\s]+@[^<>\s]+)>/) {
            let name = match.output.name.trimmingCharacters(in: CharacterSet(charactersIn: " \""))
            return (String(match.output.address).lowercased(), name.isEmpty ? nil : name)
        }
        guard trimmed.wholeMatch(of: /[^<>\s]+@[^<>\s]+/) != nil else { return nil }
        return (trimmed.lowercased(), nil)
    }

    /// The language to answer in: Chinese when the message has Han characters, else English.
    public var language: ComplainantLanguage {
        (subject + text).unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } ? .simplifiedChinese : .english
    }

    /// The case numbers the subject names, in the order it names them ("Re: [NORTH-20261205-000001] …").
    public var caseNumbers: [String] {
        subject.matches(of: /[A-Za-z0-9][A-Za-z0-9-]{1,31}-[0-9]{8}-[0-9]{6,12}/).compactMap { CaseNumber.reading(String($0.output)) }
    }
}

/// What a passed-on message came to.
public enum InboundMailOutcome: Sendable, Equatable {
    /// A new complaint, or the one a retry of the same message opened (`replayed`).
    case opened(complaintID: UUID, caseNumber: String, replayed: Bool)
    /// A statement added to the complaint whose case number the subject names, from its complainant's address.
    case added(complaintID: UUID, caseNumber: String, communicationID: UUID, replayed: Bool)
}

extension ComplaintStore {
    /// Takes in a message from the branch's mail gateway, as the gateway's intake key `caller`: a
    /// reply whose subject names a case of the branch, sent (as the gateway verified) from the
    /// address its complainant gave, is added to that complaint as the complainant's inbound statement (on the timeline as
    /// `statement_received`, its department's head told as of a statement on the public page);
    /// anything else opens a complaint on channel `email`, the sender's address and name as the
    /// complainant's. Each Message-ID is taken once: a retry answers what the first post did.
    public func receiveMail(_ caller: Caller, _ mail: InboundMail) async throws -> InboundMailOutcome {
        guard let sender = mail.sender else { throw StoreError.invalidValue(field: "/from", message: "holds no email address") }
        // Bounded as the database counts: in Unicode scalars (a CRLF is two).
        let whole = mail.subject.isEmpty ? mail.text : "\(mail.subject)\n\n\(mail.text)"
        let content = String(String.UnicodeScalarView(whole.unicodeScalars.prefix(20_000)))
        if mail.senderVerified, let added = try await addReply(caller, mail, from: sender.address, content: content) { return added }
        let intake = ComplaintIntake(channel: "email", complainant: .init(name: sender.name, email: sender.address,
                                                                          language: mail.language),
                                     description: content)
        let messageKey = SHA256.hash(data: Data(mail.messageID.utf8)).map { String(format: "%02x", $0) }.joined()
        let result = try await self.intake(caller, intake, idempotencyKey: "mail:" + messageKey,
                                           requestHash: Data(SHA256.hash(data: Data((mail.from + "\n" + content).utf8))))
        return .opened(complaintID: result.complaint.id, caseNumber: result.complaint.caseNumber, replayed: result.replayed)
    }

    /// The reply added to the complaint its subject names, when its sender is that complaint's complainant.
    private func addReply(_ caller: Caller, _ mail: InboundMail, from address: String, content: String) async throws
        -> InboundMailOutcome? {
        guard !mail.caseNumbers.isEmpty else { return nil }
        return try await StoreError.translating {
            try await database.withScope(caller.scope) { connection -> InboundMailOutcome? in
                let cases = try await connection.query("""
                    SELECT id, case_number, complainant_sealed, complainant_key_id FROM complaints
                     WHERE branch_id = \(caller.branchID) AND case_number = ANY (\(mail.caseNumbers)) AND status <> 'archived'
                     ORDER BY received_at DESC, id
                    """)
                for row in cases {
                    let id: UUID = try row.decode(at: 0)
                    let person = try row.decode(Data?.self, at: 2).flatMap { box in
                        try row.decode(String?.self, at: 3).flatMap { vault.open(SealedPersonalData(keyID: $0, box: box), branchID: caller.branchID, complaintID: id) }
                    }
                    guard person?.email?.lowercased() == address else { continue }
                    let caseNumber: String = try row.decode(at: 1)
                    return try await addStatement(caller, complaintID: id, caseNumber: caseNumber, content: content,
                                                  messageID: mail.messageID, connection)
                }
                return nil
            }
        }
    }

    private func addStatement(_ caller: Caller, complaintID: UUID, caseNumber: String, content: String, messageID: String,
                              _ connection: PGConnection) async throws -> InboundMailOutcome {
        let branch = try await CaseVisibility.lockShared(complaintID, connection)
        if let id = try await CaseWorkStore.logCommunication(caller, branchID: branch, complaintID: complaintID, direction: "inbound",
                                                             channel: "email", kind: "statement", content: content, messageID: messageID,
                                                             connection)?.id {
            try await CaseWorkStore.recordEvent("statement_received", caller: caller, branchID: branch, complaintID: complaintID,
                                                after: ["communicationId": id.uuidString.lowercased(), "channel": "email"], connection)
            // Its department's head is told, as of a statement on the public page.
            try await connection.execute("SELECT FROM complaints WHERE branch_id = \(branch) AND id = \(complaintID) FOR NO KEY UPDATE")
            _ = try await Self.refreshSchedule(branchID: branch, complaintID: complaintID,
                                               notifying: [(.complainantStatement, id.uuidString.lowercased())], connection)
            return .added(complaintID: complaintID, caseNumber: caseNumber, communicationID: id, replayed: false)
        }
        let first = try await connection.query("""
            SELECT id FROM complaint_communications
             WHERE branch_id = \(branch) AND complaint_id = \(complaintID) AND message_id = \(messageID)
            """)[0].decode(UUID.self, at: 0)
        return .added(complaintID: complaintID, caseNumber: caseNumber, communicationID: first, replayed: true)
    }
}
