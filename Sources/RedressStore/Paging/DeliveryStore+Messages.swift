import Foundation
import Postgres

extension DeliveryStore {
    /// What a gateway receives: the delivery id (the same on every attempt, so a receiver drops
    /// repeats) and the message, opened from its seal; ids in lower case, as the API writes them.
    struct GatewayPost: Encodable {
        struct Message: Encodable {
            var id: String
            var complaintId: String
            var caseNumber: String
            var event: String
            var channel: String
            var language: String
            var to: String
            var subject: String?
            var body: String
        }

        var deliveryId: String
        var message: Message
    }

    /// Claims up to `batch` due messages to complainants, branch by branch, leased for `lease`. A
    /// message whose seal does not open here (its key is not in this process's ring) comes back
    /// with the refusal `sealed`, to be retried: the keys may yet be put right.
    public func claimMessages(batch: Int, lease: Duration) async throws -> [Claimed] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try await BranchClaims.claim(.messages, batch: batch, on: pool) { branch, left in
            try await pool.query("""
                SELECT branch_id, id, attempt, url, secret, complaint_id, case_number, event, channel, language, sealed_key_id, sealed_box
                  FROM scheduler.claim_messages(\(branch), \(Int32(left)), \(Int32(lease.components.seconds)))
                """).map { row in
                var delivery = Claimed(kind: .message, branchID: try row.decode(at: 0), id: try row.decode(at: 1), attempt: try row.decode(at: 2),
                                       url: try row.decode(at: 3), secret: try row.decode(at: 4), body: Data())
                guard let message = vault.openMessage(SealedPersonalData(keyID: try row.decode(at: 10), box: try row.decode(at: 11)),
                                                      branchID: delivery.branchID, messageID: delivery.id) else {
                    delivery.refusal = "sealed"
                    return delivery
                }
                let id = delivery.id.uuidString.lowercased()
                delivery.body = try encoder.encode(GatewayPost(deliveryId: id, message: .init(
                    id: id, complaintId: try row.decode(UUID.self, at: 5).uuidString.lowercased(), caseNumber: try row.decode(at: 6),
                    event: try row.decode(at: 7), channel: try row.decode(at: 8), language: try row.decode(at: 9), to: message.to,
                    subject: message.subject, body: message.body)))
                return delivery
            }
        }
    }

    func recordMessage(_ delivery: Claimed, _ outcome: Outcome, milliseconds: Int64) async throws -> String {
        try await pool.query("""
            SELECT scheduler.record_message(\(delivery.branchID), \(delivery.id), \(Int32(delivery.attempt)), \(outcome.startedAt),
                                            \(Int32(clamping: milliseconds)), \(outcome.statusCode.map(Int32.init(clamping:)))::integer,
                                            \(outcome.error)::text, \(outcome.retryAt)::timestamptz)
            """)[0].decode(String.self, at: 0)
    }
}
