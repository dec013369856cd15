// RedressScheduler: the long-running services that make deadlines happen.
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import Postgres
import RedressCore
import RedressStore
import ServiceLifecycle

/// How the escalation scheduler works.
public struct SchedulerConfiguration: Sendable {
    /// Complaints claimed per transaction. Default 500.
    public var batchSize: Int
    /// The longest sleep between looks, in case a notification was missed. Default 5 s.
    public var pollInterval: Duration

    /// Creates a configuration with the documented defaults.
    public init(batchSize: Int = 500, pollInterval: Duration = .seconds(5)) {
        self.batchSize = batchSize
        self.pollInterval = pollInterval
    }
}

/// Fires escalations on time and re-pages unacknowledged ones. Any number may run at once (claims
/// use FOR UPDATE SKIP LOCKED and each tier is recorded once by a unique key). Each pass first
/// recomputes one batch per branch of the deadlines a policy, calendar or time-zone change made
/// stale (the claims pass over stale complaints until then, `sql/0085`), then takes one batch of
/// each kind of due work in turn: tiers, alarms of milestones and plans, re-pages of escalations
/// whose ack window passed, overdue follow-ups, reviews, rectification tasks and institutions'
/// replies. A pass that found work is followed by the next at once; otherwise it sleeps until the
/// next due time, wakes early when a deadline moves (`LISTEN redress_deadlines`), and looks again
/// at least every `pollInterval` in case a notification was lost.
public struct EscalationScheduler: Service {
    let store: EscalationStore
    let complaints: ComplaintStore
    let loop: WorkLoop
    let configuration: SchedulerConfiguration
    let logger: Logger
    /// Complaints whose recomputation failed, each with when to try it again.
    let failedRecomputations = NIOLockedValueBox<[UUID: ContinuousClock.Instant]>([:])

    /// How long a complaint whose recomputation failed is passed over before it is tried again.
    static let retryFailedRecomputationAfter = Duration.seconds(60)

    /// Creates a scheduler on the service pool; `listen` is the service role's connection for LISTEN.
    public init(pool: PGPool, listen: PGConnectionConfiguration, configuration: SchedulerConfiguration = SchedulerConfiguration(),
                logger: Logger = Logger(label: "redress.scheduler")) {
        store = EscalationStore(pool: pool)
        complaints = ComplaintStore(database: ScopedDatabase(pool: pool))
        loop = WorkLoop(listener: PGListener(configuration: listen, channels: ["redress_deadlines"], logger: logger),
                        pollInterval: configuration.pollInterval, logger: logger)
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        try await loop.run(pass: {
            let oldest = try await store.oldestWork()
            Gauge(label: "redress_scheduler_lag_seconds").record(max(0, Date().timeIntervalSince(oldest ?? .distantFuture)))
            // One batch of stale deadlines per branch: the claims below pass over the rest, so a
            // large branch's calendar change holds back neither its other work nor other branches'.
            let recomputed = try await recomputeStaleBatch()
            // One batch of each kind, so that work of one kind falling due steadily or piled up
            // (tiers, say) cannot hold the others back; what is left is the next pass's, at once.
            let found = try await [
                drain(until: .oneBatch).count, raiseAlarms(until: .oneBatch).count, repage(until: .oneBatch).count,
                escalateOverdueFollowUps(until: .oneBatch).count, escalateReviews(until: .oneBatch).count,
                escalateRectifications(until: .oneBatch).count, escalateInstitutionReplies(until: .oneBatch).count,
            ]
            return recomputed + found.reduce(0, +) > 0
        }, nextDue: { try await store.nextDue() })
    }

    /// Recomputes up to a batch of stale complaints in each branch that has them, those with the
    /// earliest old deadline first; returns how many. A complaint that cannot be recomputed is
    /// logged and counted (`redress_deadline_recompute_failures_total`), passed over for
    /// ``retryFailedRecomputationAfter`` and then tried again; the pass goes on with the others and
    /// its claims, which pass over it meanwhile. Only listing the branches, or cancellation, fails
    /// the pass.
    func recomputeStaleBatch() async throws -> Int {
        let now = ContinuousClock.now
        let passingOver = failedRecomputations.withLockedValue { failed in
            failed = failed.filter { $0.value > now }
            return Array(failed.keys)
        }
        let outcome = try await complaints.recomputeStaleBatch(batch: configuration.batchSize, passingOver: passingOver)
        Gauge(label: "redress_stale_deadline_branches").record(outcome.branches)
        failedRecomputations.withLockedValue { failed in
            for case let id? in outcome.failures.map(\.complaintID) { failed[id] = now + Self.retryFailedRecomputationAfter }
        }
        record(recomputed: outcome.recomputed)
        for failure in outcome.failures {
            Counter(label: "redress_deadline_recompute_failures_total").increment()
            logger.warning("recomputing deadlines failed; trying again later", metadata: [
                "branch": "\(failure.branchID)", "complaint": "\(failure.complaintID.map { $0.uuidString } ?? "")",
                "error": "\(String(reflecting: failure.error))",
            ])
        }
        return outcome.recomputed
    }

    /// Recomputes every complaint whose deadlines a policy, calendar or time-zone change made stale,
    /// batch after batch until none is left (for tools and tests; a running scheduler recomputes a
    /// batch per branch and pass).
    @discardableResult
    public func recomputeStale() async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let recomputed = try await complaints.recomputeStale(batch: configuration.batchSize)
            total += recomputed
            if recomputed == 0 {
                record(recomputed: total)
                return total
            }
        }
    }

    /// Counts (`redress_deadlines_recomputed_total`) and logs the complaints whose deadlines were
    /// recomputed, if any.
    private func record(recomputed: Int) {
        guard recomputed > 0 else { return }
        Counter(label: "redress_deadlines_recomputed_total").increment(by: recomputed)
        logger.info("recomputed deadlines", metadata: ["complaints": "\(recomputed)"])
    }

    /// Fires every due tier, batch after batch until `end`; returns what fired.
    @discardableResult
    public func drain(until end: StepEnd = .nothingDue) async throws -> [EscalationStore.Fired] {
        try await batches(until: end) {
            let fired = try await store.escalateDue(batch: configuration.batchSize)
            for escalation in fired {
                Counter(label: "redress_escalations_total", dimensions: [("tier", String(escalation.tier))]).increment()
                Counter(label: "redress_pages_total", dimensions: [("tier", String(escalation.tier)), ("kind", "tier")])
                    .increment(by: escalation.pages)
                logger.info("escalated", metadata: [
                    "complaint": "\(escalation.complaintID)", "tier": "\(escalation.tier)",
                    "late_seconds": "\(escalation.lateSeconds)", "pages": "\(escalation.pages)",
                ])
            }
            return fired
        }
    }

    /// Raises every due alarm of milestones and plans, batch after batch until `end`; returns what it raised. An
    /// alarm of a complaint whose tier is due waits for the tier (`scheduler.raise_alarms`, sql/0051), so that a
    /// breach falling due with a tier does not page the tier's recipients twice.
    @discardableResult
    public func raiseAlarms(until end: StepEnd = .nothingDue) async throws -> [EscalationStore.RaisedAlarm] {
        try await batches(until: end) {
            let raised = try await store.raiseAlarms(batch: configuration.batchSize)
            for alarm in raised {
                Counter(label: "redress_alarms_total", dimensions: [("kind", alarm.kind), ("milestone", alarm.milestone?.rawValue ?? "")]).increment()
                Counter(label: "redress_pages_total", dimensions: [("tier", String(alarm.tier)), ("kind", alarm.kind)]).increment(by: alarm.pages)
                logger.info("alarm raised", metadata: [
                    "complaint": "\(alarm.complaintID)", "kind": "\(alarm.kind)", "milestone": "\(alarm.milestone?.rawValue ?? "")",
                    "plan": "\(alarm.planID.map { $0.uuidString } ?? "")", "tier": "\(alarm.tier)",
                    "late_seconds": "\(alarm.lateSeconds)", "pages": "\(alarm.pages)",
                ])
            }
            return raised
        }
    }

    /// Escalates every overdue follow-up, batch after batch until `end`; returns what it escalated.
    @discardableResult
    public func escalateOverdueFollowUps(until end: StepEnd = .nothingDue) async throws -> [EscalationStore.OverdueFollowUp] {
        try await batches(until: end) {
            let escalated = try await store.escalateOverdueFollowUps(batch: configuration.batchSize)
            for followUp in escalated {
                Counter(label: "redress_follow_ups_escalated_total").increment()
                Counter(label: "redress_pages_total", dimensions: [("tier", "1"), ("kind", "follow_up")]).increment(by: followUp.pages)
                logger.info("follow-up overdue", metadata: [
                    "complaint": "\(followUp.complaintID)", "follow_up": "\(followUp.followUpID)",
                    "late_seconds": "\(followUp.lateSeconds)", "pages": "\(followUp.pages)",
                ])
            }
            return escalated
        }
    }

    /// Tells the reviewers of every new review and escalates every overdue one, batch after batch until `end`;
    /// returns what it did.
    @discardableResult
    public func escalateReviews(until end: StepEnd = .nothingDue) async throws -> [EscalationStore.ReviewEscalation] {
        try await batches(until: end) {
            let escalated = try await store.escalateReviews(batch: configuration.batchSize)
            for review in escalated {
                Counter(label: "redress_reviews_escalated_total", dimensions: [("reason", review.reason)]).increment()
                Counter(label: "redress_pages_total", dimensions: [("tier", "0"), ("kind", review.reason)]).increment(by: review.pages)
                logger.info("review \(review.reason == "review_overdue" ? "overdue" : "told to its reviewers")", metadata: [
                    "complaint": "\(review.complaintID)", "review": "\(review.reviewID)",
                    "late_seconds": "\(review.lateSeconds)", "pages": "\(review.pages)",
                ])
            }
            return escalated
        }
    }

    /// Escalates every overdue rectification task, each once, batch after batch until `end`; returns what it
    /// escalated.
    @discardableResult
    public func escalateRectifications(until end: StepEnd = .nothingDue) async throws -> [EscalationStore.RectificationEscalation] {
        try await batches(until: end) {
            let escalated = try await store.escalateRectifications(batch: configuration.batchSize)
            for task in escalated {
                Counter(label: "redress_rectifications_escalated_total").increment()
                logger.info("rectification task overdue", metadata: [
                    "task": "\(task.taskID)", "late_seconds": "\(task.lateSeconds)", "recipients": "\(task.recipients.count)",
                ])
            }
            return escalated
        }
    }

    /// Escalates every institution's referral left unanswered past its due time, each once, batch
    /// after batch until `end`; returns what it escalated.
    @discardableResult
    public func escalateInstitutionReplies(until end: StepEnd = .nothingDue) async throws -> [EscalationStore.InstitutionReplyEscalation] {
        try await batches(until: end) {
            let escalated = try await store.escalateInstitutionReplies(batch: configuration.batchSize)
            for referral in escalated {
                Counter(label: "redress_institution_replies_escalated_total").increment()
                Counter(label: "redress_pages_total", dimensions: [("tier", "0"), ("kind", "institution_reply_overdue")])
                    .increment(by: referral.pages)
                logger.info("institution's reply overdue", metadata: [
                    "complaint": "\(referral.complaintID)", "referral": "\(referral.referralID)",
                    "late_seconds": "\(referral.lateSeconds)", "pages": "\(referral.pages)",
                ])
            }
            return escalated
        }
    }

    /// Re-pages every escalation whose ack window passed unacknowledged, batch after batch until `end`;
    /// returns what it re-paged.
    @discardableResult
    public func repage(until end: StepEnd = .nothingDue) async throws -> [EscalationStore.Repaged] {
        try await batches(until: end) {
            let repaged = try await store.repageDue(batch: configuration.batchSize)
            for escalation in repaged where escalation.rung != nil {
                Counter(label: "redress_repages_total", dimensions: [("tier", String(escalation.tier))]).increment()
                Counter(label: "redress_pages_total", dimensions: [("tier", String(escalation.tier)), ("kind", "repage")])
                    .increment(by: escalation.pages)
                logger.info("re-paged", metadata: [
                    "complaint": "\(escalation.complaintID)", "tier": "\(escalation.tier)", "rung": "\(escalation.rung ?? 0)",
                    "pages": "\(escalation.pages)",
                ])
            }
            return repaged
        }
    }

    /// Runs `batch` again and again until `end`; returns everything it found.
    private func batches<Item>(until end: StepEnd, _ batch: () async throws -> [Item]) async throws -> [Item] {
        var all: [Item] = []
        while true {
            try Task.checkCancellation()
            let found = try await batch()
            all += found
            if end == .oneBatch || found.isEmpty { return all }
        }
    }
}
