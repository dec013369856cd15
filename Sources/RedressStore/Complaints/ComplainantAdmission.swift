import Foundation
import Postgres
import RedressCore

/// What a complainant's lookup or action with their case number and access code came to.
public enum ComplainantOutcome<Value: Sendable & Equatable>: Sendable, Equatable {
    /// Admitted: what was found or done.
    case done(Value)
    /// No such case, or not this code: one answer for both.
    case unknown
    /// Too many wrong codes for this case number lately.
    case locked(retryAfterSeconds: Int)
}

extension ComplaintStore {
    private struct Admission: Codable, Sendable {
        var outcome: String
        var retryAfterSeconds: Int?
        var branchId: UUID?
        var complaintId: UUID?
        var complainantId: UUID?
    }

    /// Admits the complainant of the complaint with `caseNumber` when `code` is its access code,
    /// as the lookup does (`progress.admit_complainant`, sql/0057: the same count of wrong codes,
    /// lock and audit entry, `via` saying what was asked), in a transaction of its own so that a
    /// wrong code counts whatever follows. Then runs `body` as that complainant: the branch's
    /// `complainant` user, in a transaction confined to the complaint.
    func asComplainant<Value: Sendable & Equatable>(caseNumber: String, code: AccessCode, client: String, requestID: String?, via: String,
                                        _ body: (Caller, PGConnection) async throws -> Value) async throws
        -> ComplainantOutcome<Value> {
        let configuration = database.configuration
        let row = try await database.pool.query("""
            SELECT progress.admit_complainant(\(caseNumber), \(vault.accessCodeDigest(code)), \(client), \(requestID),
                                              \(configuration.lookupFailuresBeforeLock)::integer,
                                              make_interval(secs => \(Double(configuration.lookupLock.components.seconds))), \(via))
            """)[0]
        let admission = try row.decode(PGJSON<Admission>.self, at: 0).value
        switch admission.outcome {
        case "found":
            guard let branch = admission.branchId, let complaint = admission.complaintId, let complainant = admission.complainantId else {
                throw PGDecodingFailure("an admission without its complaint")
            }
            let caller = Caller.complainant(userID: complainant, branchID: branch, complaintID: complaint, requestID: requestID)
            let value = try await StoreError.translating {
                try await database.withScope(caller.scope) { connection in try await body(caller, connection) }
            }
            return .done(value)
        case "locked":
            return .locked(retryAfterSeconds: admission.retryAfterSeconds ?? 1)
        default:
            return .unknown
        }
    }
}
