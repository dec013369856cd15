/// What the KPIs of one group (a branch, department or responsible person) count in one month,
/// over the complaints received in it (`reports.kpi_figures`, `sql/0069_kpi_figures_exact.sql`).
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
