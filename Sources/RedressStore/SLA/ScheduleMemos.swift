import Foundation
import Postgres
import RedressCore

/// The memos of what every schedule reads from its branch.
enum ScheduleMemos {
    /// A branch's active SLA policies, from a JSON array of `SLAPolicyRow` (ids, names and documents).
    static let policies = DecodedTextMemo<[SLAPolicy]> { text in
        try text.decoded(as: [SLAPolicyRow].self).map { $0.document.policy(id: $0.id, name: $0.name) }
    }

    /// A branch's working hours: spans of minutes of the day per weekday (1 = Sunday), as
    /// `branch_calendars.hours` keeps them.
    static let workingHours = DecodedTextMemo<[String: [[Int]]]> { text in try text.decoded(as: [String: [[Int]]].self) }
}
