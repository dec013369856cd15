import Foundation
import RedressCore

/// What a report's rows are grouped by.
public enum ReportGrouping: String, Sendable, Codable, CaseIterable {
    /// Totals only.
    case none
    case branch
    /// By the branch's region (complaints of branches without one under no key).
    case region
    case department
    /// By category code (the same code in every branch counts together).
    case category
    case channel
    case level
    /// By responsible person: each handler's performance.
    case responsible
    /// By where the complaint came from: `internal`, `external` or `institutional`.
    case source
    /// By customer type: `individual`, `enterprise`, `government`, `public_institution`, `social_organisation`.
    case customerType = "customer_type"
}

/// Which complaints a report counts, beyond the caller's scope and the period.
public struct ReportFilter: Sendable, Equatable, Codable {
    public var branchId: UUID?
    public var departmentId: UUID?
    /// A category code such as `billing`.
    public var category: String?
    public var channel: String?
    public var level: Int?

    /// Creates a filter; nil means any.
    public init(branchId: UUID? = nil, departmentId: UUID? = nil, category: String? = nil, channel: String? = nil, level: Int? = nil) {
        self.branchId = branchId
        self.departmentId = departmentId
        self.category = category
        self.channel = channel
        self.level = level
    }
}

/// How the period of a report is chosen: the day, week, month or quarter containing a date (today
/// in the caller's branch when nil), or an explicit range.
public enum ReportPeriodChoice: Sendable, Equatable {
    case containing(ReportPeriod.Kind, LocalDate?)
    case range(ReportPeriod)
}

/// A complaint report: totals and groups, each with this period's figures, the previous
/// period's, and the change between them; and the period's hot spots.
public struct ComplaintReport: Sendable, Codable, Equatable {
    /// One row: a group (or the totals), its figures now and before, and the change.
    public struct Row: Sendable, Codable, Equatable {
        /// The group's key (an id, code, channel or level); nil for the totals, or for complaints
        /// without one (e.g. not yet routed to a department).
        public var key: String?
        public var label: String?
        public var current: ReportFigures
        public var previous: ReportFigures
        public var change: ReportChange

        /// Creates a row from both periods' counts.
        public init(key: String?, label: String?, current: ReportCounts, previous: ReportCounts) {
            self.key = key
            self.label = label
            self.current = ReportFigures(current)
            self.previous = ReportFigures(previous)
            change = ReportChange(from: self.previous, to: self.current)
        }
    }

    /// A category among the most frequent in the period.
    public struct HotSpot: Sendable, Codable, Equatable {
        public var code: String
        public var name: String?
        public var received: Int
        public var previous: Int
    }

    /// How the period's messages to complainants went on one channel.
    public struct MessageDelivery: Sendable, Codable, Equatable {
        public var channel: String
        /// Messages written in the period.
        public var sent: Int
        public var delivered: Int
        /// Given up after every attempt failed.
        public var dead: Int
        /// Never sent: no gateway, or no address on the channel.
        public var unsent: Int
        /// Still being attempted.
        public var pending: Int

        /// Delivered among the settled (delivered, dead or unsent); nil when none is settled.
        public var deliveryRate: Double? {
            let settled = delivered + dead + unsent
            return settled == 0 ? nil : Double(delivered) / Double(settled)
        }
    }

    /// The period's reviews (復議): those asked in it and how they stand, against the results
    /// given in it (fed back, resolved at first contact or found invalid).
    public struct ReviewFigures: Sendable, Codable, Equatable {
        public var requested: Int = 0
        public var upheld: Int = 0
        public var revised: Int = 0
        /// Not decided yet.
        public var open: Int = 0
        /// Not decided and past their due time.
        public var overdue: Int = 0
        /// Results given in the period.
        public var results: Int = 0

        /// Reviews asked per result given; nil without results.
        public var rate: Double? { results == 0 ? nil : Double(requested) / Double(results) }
    }

    public var period: ReportPeriod
    public var groupBy: ReportGrouping
    public var filter: ReportFilter
    public var totals: Row
    /// Groups with complaints in either period, most received first.
    public var groups: [Row]
    /// Up to five categories with the most complaints received in the period.
    public var topCategories: [HotSpot]
    /// The period's messages to complainants per channel (the branch and department filters apply).
    public var messages: [MessageDelivery] = []
    /// The period's reviews (the branch and department filters apply).
    public var reviews = ReviewFigures()
    /// Complaints per 10,000 customers, for the totals and each branch or region (``ReportStore/rates(_:_:_:)``).
    public var rates: [ComplaintRate] = []
}
