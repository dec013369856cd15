import Foundation
import NIOConcurrencyHelpers
import Postgres
import RedressCore

/// A branch's active SLA policies, decoded once per distinct text: the schedule of every change
/// reads them (``ComplaintStore/refreshSchedule``), and they change seldom. Keyed by the exact JSON
/// the database returned (ids, names and documents), so a changed policy is a new entry; the least
/// recently used entries go when the memo is full.
enum SLAPolicyMemo {
    private struct Entry {
        var policies: [SLAPolicy]
        var lastUse: UInt64
    }

    private static let capacity = 256
    private static let state = NIOLockedValueBox((entries: [Data: Entry](), clock: UInt64(0)))

    /// The policies `text` (a JSON array of `SLAPolicyRow`) describes.
    static func policies(_ text: PGJSONText) throws -> [SLAPolicy] {
        let known = state.withLockedValue { state -> [SLAPolicy]? in
            guard var entry = state.entries[text.bytes] else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[text.bytes] = entry
            return entry.policies
        }
        if let known { return known }
        let policies = try text.decoded(as: [SLAPolicyRow].self).map { $0.document.policy(id: $0.id, name: $0.name) }
        state.withLockedValue { state in
            if state.entries.count >= capacity, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries[oldest.key] = nil
            }
            state.clock += 1
            state.entries[text.bytes] = Entry(policies: policies, lastUse: state.clock)
        }
        return policies
    }
}
