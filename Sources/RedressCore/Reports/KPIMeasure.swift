/// A measure a KPI target is set on (001 §5.4.2, §6.1; 004 §六). Rates are fractions (0.85 for
/// 85 %); handling times are working days of the branch's calendar.
public enum KPIMeasure: String, Sendable, Codable, CaseIterable {
    /// Scores of 6 or more (satisfied or basically satisfied) among the complaints surveyed.
    case satisfactionRate = "satisfaction_rate"
    /// The average working days from receipt to the result.
    case handlingDaysAverage = "handling_days_average"
    /// The 90th percentile of working days from receipt to the result.
    case handlingDaysP90 = "handling_days_p90"
    /// Acknowledgements met by their deadline among those due.
    case onTimeRateAcknowledge = "on_time_rate_acknowledge"
    /// Initial replies met by their deadline among those due.
    case onTimeRateInitialReply = "on_time_rate_initial_reply"
    /// Preliminary feedback given by its deadline among those due.
    case onTimeRatePreliminaryFeedback = "on_time_rate_preliminary_feedback"
    /// Results given by their deadline among those due.
    case onTimeRateResult = "on_time_rate_result"
    /// Repeats among the complaints received.
    case repeatRate = "repeat_rate"

    /// Whether a figure at or above the target meets it (else at or below).
    public var higherIsBetter: Bool {
        switch self {
        case .handlingDaysAverage, .handlingDaysP90, .repeatRate: return false
        default: return true
        }
    }

    /// The targets that make sense: a fraction for rates, up to a year of working days for times.
    public var targetRange: ClosedRange<Double> {
        switch self {
        case .handlingDaysAverage, .handlingDaysP90: return 0...366
        default: return 0...1
        }
    }

    /// The milestone an on-time rate is of.
    public var milestone: SLAMilestone? {
        switch self {
        case .onTimeRateAcknowledge: return .acknowledge
        case .onTimeRateInitialReply: return .initialReply
        case .onTimeRatePreliminaryFeedback: return .preliminaryFeedback
        case .onTimeRateResult: return .result
        default: return nil
        }
    }
}

/// What the KPIs of one group (a branch, department or responsible person) count in one month,
/// over the complaints received in it (`reports.kpi_figures` in `sql/0068_kpi_targets.sql`).
public struct KPICounts: Sendable, Codable, Equatable {
    public var received: Int
    public var repeats: Int
    public var surveyed: Int
    /// Scores of 6 or more.
    public var satisfiedOrBasically: Int
    /// Complaints whose result was given, with their handling time.
    public var handled: Int
    public var handlingDaysAverage: Double?
    public var handlingDaysP90: Double?
    /// By milestone (`acknowledge`, `initial_reply`, `preliminary_feedback`, `result`).
    public var milestones: [String: ReportCounts.Milestone]

    /// Nothing counted: a month without complaints.
    public static let zero = KPICounts(received: 0, repeats: 0, surveyed: 0, satisfiedOrBasically: 0, handled: 0,
                                       handlingDaysAverage: nil, handlingDaysP90: nil, milestones: [:])

    /// Creates counts.
    public init(received: Int, repeats: Int, surveyed: Int, satisfiedOrBasically: Int, handled: Int, handlingDaysAverage: Double?,
                handlingDaysP90: Double?, milestones: [String: ReportCounts.Milestone]) {
        self.received = received
        self.repeats = repeats
        self.surveyed = surveyed
        self.satisfiedOrBasically = satisfiedOrBasically
        self.handled = handled
        self.handlingDaysAverage = handlingDaysAverage
        self.handlingDaysP90 = handlingDaysP90
        self.milestones = milestones
    }

    /// The actual figure of `measure` and how many it is over; the figure is nil when that is none.
    public func actual(_ measure: KPIMeasure) -> (value: Double?, basis: Int) {
        func rate(_ part: Int, _ whole: Int) -> (Double?, Int) { (whole > 0 ? Double(part) / Double(whole) : nil, whole) }
        if let milestone = measure.milestone {
            let counted = milestones[milestone.rawValue] ?? ReportCounts.Milestone(due: 0, onTime: 0)
            return rate(counted.onTime, counted.due)
        }
        switch measure {
        case .satisfactionRate: return rate(satisfiedOrBasically, surveyed)
        case .repeatRate: return rate(repeats, received)
        case .handlingDaysAverage: return (handled > 0 ? handlingDaysAverage : nil, handled)
        case .handlingDaysP90: return (handled > 0 ? handlingDaysP90 : nil, handled)
        default: return (nil, 0)
        }
    }
}

/// One measure in one month: the target in force, the actual figure, and whether it was met
/// (nil without a target or without anything to measure).
public struct KPIAttainment: Sendable, Codable, Equatable {
    public var measure: KPIMeasure
    public var target: Double?
    public var actual: Double?
    public var met: Bool?
    /// How many the actual figure is over: surveyed, handled, due or received.
    public var basis: Int

    /// Sets `counts`' figure of `measure` against `target`. A figure equal to the target meets it.
    public init(_ measure: KPIMeasure, target: Double?, counts: KPICounts) {
        let (actual, basis) = counts.actual(measure)
        self.measure = measure
        self.target = target
        self.actual = actual
        self.basis = basis
        if let target, let actual {
            // Rates come as quotients of counts; a hair's breadth below a target equal to them is equal.
            let tolerance = 1e-9
            met = measure.higherIsBetter ? actual >= target - tolerance : actual <= target + tolerance
        } else {
            met = nil
        }
    }
}
