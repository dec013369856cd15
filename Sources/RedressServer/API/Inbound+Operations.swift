import Foundation
import RedressCore
import RedressStore

/// What a branch's mail gateway passes on: with its intake key (channel `email`) as the bearer
/// token, the body signed like a webhook's delivery with the key's signing secret.
extension APIHandlers {
    func receiveInboundEmail(_ input: Operations.ReceiveInboundEmail.Input) async throws -> Operations.ReceiveInboundEmail.Output {
        let caller = try AuthenticatedCaller.required()
        guard case .intakeKey(_, "email") = caller.credential else {
            throw Problem(kind: "forbidden", title: "Forbidden", status: .forbidden,
                          detail: "Mail is passed on with an intake key of channel email.")
        }
        guard try await auth.mailSignatureValid(caller, body: RequestFields.bytes, timestamp: input.headers.redressTimestamp,
                                                signature: input.headers.redressSignature) else {
            throw Problem(kind: "bad-signature", title: "Bad signature", status: .unauthorized,
                          detail: "Sign \"<Redress-Timestamp>.<body>\" with HMAC-SHA256 keyed with the key's signingSecret, as v1=<hex>, "
                              + "within 5 minutes.")
        }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let mail = InboundMail(from: body.from, subject: body.subject, text: body.text, messageID: body.messageId,
                               senderVerified: body.senderVerified ?? false)
        switch try await complaints.receiveMail(caller, mail) {
        case .opened(let id, let caseNumber, let replayed):
            let answer = Components.Schemas.InboundEmailOutcome(outcome: .opened, complaintId: Wire.id(id), caseNumber: caseNumber,
                                                                 replayed: replayed)
            return replayed ? .ok(.init(body: .json(answer))) : .created(.init(body: .json(answer)))
        case .added(let id, let caseNumber, let communication, let replayed):
            return .ok(.init(body: .json(.init(outcome: .added, complaintId: Wire.id(id), caseNumber: caseNumber,
                                               communicationId: Wire.id(communication), replayed: replayed))))
        }
    }
}
