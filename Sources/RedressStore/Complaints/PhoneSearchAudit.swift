import Foundation
import Postgres
import RedressCore

/// Looking complaints up by a customer's phone number: only for roles that see phone numbers in
/// full (a masked role could otherwise confirm the hidden digits by guessing), and every lookup
/// is recorded in the caller's branch trail, whether it found anything or not, with the number's
/// blind index and never the number itself.
enum PhoneSearchAudit {
    /// Refuses a phone lookup by a role that sees phone numbers masked.
    static func authorize(_ caller: Caller, _ filter: ComplaintFilter) throws {
        if filter.phone != nil && !PersonalDataMask.seesInFull(caller.roles) { throw StoreError.forbidden }
    }

    /// Records one phone lookup (`via`: `list` or `export`) and how many complaints it matched.
    static func record(_ connection: PGConnection, _ caller: Caller, index: Data?, matches: Int, via: String) async throws {
        guard let index else { return }
        try await AuditStore.recordAccess(connection, branchID: caller.branchID, action: "read", entity: "complaints", entityID: nil,
                                          details: ["search": "phone", "phoneIndex": index.map { String(format: "%02x", $0) }.joined(),
                                                    "matches": String(matches), "via": via])
    }
}
