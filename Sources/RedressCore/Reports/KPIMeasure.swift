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
