/// What a report counts over a group of complaints in one period, as PostgreSQL computes it
/// (`reports.complaints` in `sql/0014_reports.sql`).
public struct ReportCounts: Sendable, Codable, Equatable {
    /// Deadlines of one milestone that fell due (met, or passed unmet), and how many were met in time.
    public struct Milestone: Sendable, Codable, Equatable {
        public var due: Int
        public var onTime: Int

        /// Creates a milestone's counts.
        public init(due: Int, onTime: Int) {
            self.due = due
            self.onTime = onTime
        }
    }

    public var received: Int
    /// The result milestone met (fed back, resolved on the spot, closed or invalid).
    public var resolved: Int
    public var invalid: Int
    /// Complaints marked as repeats of an earlier one.
    public var repeats: Int
    /// Complaints escalated at any tier.
    public var escalated: Int
    /// Complaints with a satisfaction score.
    public var surveyed: Int
    /// Scores 8–10.
    public var satisfied: Int
    /// Scores 6–7.
    public var basicallySatisfied: Int
    /// Scores 1–5.
    public var dissatisfied: Int
    public var satisfactionAverage: Double?
    public var firstReplyMedianSeconds: Double?
    public var firstReplyP90Seconds: Double?
    public var resolutionMedianSeconds: Double?
    public var resolutionP90Seconds: Double?
    /// By milestone (`acknowledge`, `initial_reply`, `preliminary_feedback`, `result`).
    public var milestones: [String: Milestone]
    /// Complaints escalated to each tier, by tier number.
    public var escalationsByTier: [String: Int]

    /// Nothing counted: an empty period or group.
    public static let zero = ReportCounts(
        received: 0, resolved: 0, invalid: 0, repeats: 0, escalated: 0, surveyed: 0, satisfied: 0, basicallySatisfied: 0,
        dissatisfied: 0, satisfactionAverage: nil, firstReplyMedianSeconds: nil, firstReplyP90Seconds: nil,
        resolutionMedianSeconds: nil, resolutionP90Seconds: nil,
        milestones: Dictionary(uniqueKeysWithValues: SLAMilestone.allCases.map { ($0.rawValue, Milestone(due: 0, onTime: 0)) }),
        escalationsByTier: [:])

    /// Creates counts.
    public init(received: Int, resolved: Int, invalid: Int, repeats: Int, escalated: Int, surveyed: Int, satisfied: Int,
                basicallySatisfied: Int, dissatisfied: Int, satisfactionAverage: Double?, firstReplyMedianSeconds: Double?,
                firstReplyP90Seconds: Double?, resolutionMedianSeconds: Double?, resolutionP90Seconds: Double?,
                milestones: [String: Milestone], escalationsByTier: [String: Int]) {
        self.received = received
        self.resolved = resolved
        self.invalid = invalid
        self.repeats = repeats
        self.escalated = escalated
        self.surveyed = surveyed
        self.satisfied = satisfied
        self.basicallySatisfied = basicallySatisfied
        self.dissatisfied = dissatisfied
        self.satisfactionAverage = satisfactionAverage
        self.firstReplyMedianSeconds = firstReplyMedianSeconds
        self.firstReplyP90Seconds = firstReplyP90Seconds
        self.resolutionMedianSeconds = resolutionMedianSeconds
        self.resolutionP90Seconds = resolutionP90Seconds
        self.milestones = milestones
        self.escalationsByTier = escalationsByTier
    }
}

/// A group's figures in one period: the counts and the rates derived from them. A rate is nil
/// when there is nothing to divide by.
public struct ReportFigures: Sendable, Codable, Equatable {
    /// One milestone's deadlines that fell due, met in time, and the on-time rate.
    public struct Milestone: Sendable, Codable, Equatable {
        public var due: Int
        public var onTime: Int
        public var rate: Double?
    }

    public var received: Int
    /// Received and not yet resolved.
    public var open: Int
    public var resolved: Int
    public var resolutionRate: Double?
    public var invalid: Int
    public var repeats: Int
    public var repeatRate: Double?
    public var escalated: Int
    public var escalationsByTier: [String: Int]
    public var milestones: [String: Milestone]
    public var firstReplyMedianSeconds: Double?
    public var firstReplyP90Seconds: Double?
    public var resolutionMedianSeconds: Double?
    public var resolutionP90Seconds: Double?
    public var surveyed: Int
    public var satisfactionAverage: Double?
    public var satisfied: Int
    public var basicallySatisfied: Int
    public var dissatisfied: Int
    /// Satisfied or basically satisfied, of those surveyed.
    public var satisfactionRate: Double?

    /// Derives the figures from `counts`.
    public init(_ counts: ReportCounts) {
        func rate(_ part: Int, _ whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
        received = counts.received
        open = counts.received - counts.resolved
        resolved = counts.resolved
        resolutionRate = rate(counts.resolved, counts.received)
        invalid = counts.invalid
        repeats = counts.repeats
        repeatRate = rate(counts.repeats, counts.received)
        escalated = counts.escalated
        escalationsByTier = counts.escalationsByTier
        milestones = Dictionary(uniqueKeysWithValues: SLAMilestone.allCases.map { milestone in
            let counted = counts.milestones[milestone.rawValue] ?? ReportCounts.Milestone(due: 0, onTime: 0)
            return (milestone.rawValue, Milestone(due: counted.due, onTime: counted.onTime, rate: rate(counted.onTime, counted.due)))
        })
        firstReplyMedianSeconds = counts.firstReplyMedianSeconds
        firstReplyP90Seconds = counts.firstReplyP90Seconds
        resolutionMedianSeconds = counts.resolutionMedianSeconds
        resolutionP90Seconds = counts.resolutionP90Seconds
        surveyed = counts.surveyed
        satisfactionAverage = counts.satisfactionAverage
        satisfied = counts.satisfied
        basicallySatisfied = counts.basicallySatisfied
        dissatisfied = counts.dissatisfied
        satisfactionRate = rate(counts.satisfied + counts.basicallySatisfied, counts.surveyed)
    }
}

/// How a group's figures moved from the previous period to this one: differences, and the
/// relative change of the received count (nil when the previous period received nothing).
public struct ReportChange: Sendable, Codable, Equatable {
    public var received: Int
    public var receivedRelative: Double?
    public var resolved: Int
    public var resolutionRate: Double?
    public var resultOnTimeRate: Double?
    public var satisfactionAverage: Double?
    public var repeatRate: Double?
    public var escalated: Int

    /// The change from `previous` to `current`.
    public init(from previous: ReportFigures, to current: ReportFigures) {
        func difference(_ now: Double?, _ before: Double?) -> Double? {
            guard let now, let before else { return nil }
            return now - before
        }
        received = current.received - previous.received
        receivedRelative = previous.received > 0 ? Double(current.received - previous.received) / Double(previous.received) : nil
        resolved = current.resolved - previous.resolved
        resolutionRate = difference(current.resolutionRate, previous.resolutionRate)
        resultOnTimeRate = difference(current.milestones[SLAMilestone.result.rawValue]?.rate,
                                      previous.milestones[SLAMilestone.result.rawValue]?.rate)
        satisfactionAverage = difference(current.satisfactionAverage, previous.satisfactionAverage)
        repeatRate = difference(current.repeatRate, previous.repeatRate)
        escalated = current.escalated - previous.escalated
    }
}
