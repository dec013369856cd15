import Foundation

/// A message to a complainant as its outbox row keeps it until it is settled: the address, and
/// the subject and body in full (the communications log keeps them masked).
struct SealedMessage: Codable, Equatable {
    var to: String
    var subject: String?
    var body: String
}

extension PersonalDataVault {
    static func messageAssociatedData(branchID: UUID, messageID: UUID) -> Data {
        Data("redress.message.v1|\(branchID.uuidString.lowercased())|\(messageID.uuidString.lowercased())".utf8)
    }

    /// The box of `message` under the current key, bound to its branch and message.
    func seal(_ message: SealedMessage, branchID: UUID, messageID: UUID) throws -> SealedPersonalData {
        try seal(JSONEncoder().encode(message), authenticating: Self.messageAssociatedData(branchID: branchID, messageID: messageID))
    }

    /// The message in `sealed`; nil when its key is not in the ring or the box does not open.
    func openMessage(_ sealed: SealedPersonalData, branchID: UUID, messageID: UUID) -> SealedMessage? {
        open(sealed, authenticating: Self.messageAssociatedData(branchID: branchID, messageID: messageID))
    }
}
