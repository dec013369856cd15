import Foundation
import Postgres

/// An operator's grant of personal data to an events webhook: the complainant's name and contacts
/// in each event it receives (`webhooks.personal_data`, which the service role cannot set;
/// `sql/0059_the_enterprise_follows_complaint_events.sql`). Runs as the schema owner.
public struct FeedGrants: Sendable {
    let ownerPool: PGPool

    /// Creates the operation on the owner's pool.
    public init(ownerPool: PGPool) { self.ownerPool = ownerPool }

    /// Grants (or, with `granted` false, takes back) personal data for the events webhook `webhook`,
    /// at the address it has now (changing the address takes the grant back); returns its branch's
    /// code and address. Refused, naming `--webhook`, for anything but an events webhook.
    public func setPersonalData(webhook: UUID, granted: Bool) async throws -> (branchCode: String, url: String) {
        let rows = try await ownerPool.query("""
            UPDATE webhooks w SET personal_data_url = CASE WHEN \(granted) THEN w.url END, updated_at = now()
              FROM branches b
             WHERE w.id = \(webhook) AND w.kind = 'events' AND b.id = w.branch_id
            RETURNING b.code, w.url
            """)
        guard let row = rows.first else { throw OperatorRefusal("--webhook", "names no events webhook") }
        return (try row.decode(at: 0), try row.decode(at: 1))
    }
}
