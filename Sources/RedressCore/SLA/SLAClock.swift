import Foundation

/// How a policy counts time.
public enum SLACounting: String, Sendable, Codable, Equatable {
    /// Every hour counts, day and night.
    case calendarHours = "calendar_hours"
    /// Only the branch's working hours count.
    case workingCalendar = "working_calendar"
}

/// A stretch of time the clock stood still (waiting for the customer); `end` nil while it lasts.
public struct SLAPause: Sendable, Equatable, Codable {
    public var start: Date
    public var end: Date?

    /// Creates a pause.
    public init(start: Date, end: Date?) {
        self.start = start
        self.end = end
    }
}

/// A computed deadline and everything that explains it.
public struct SLADeadline: Sendable, Equatable, Codable {
    /// When the target is reached; nil while a pause is open (the clock stands still).
    public var at: Date?
    /// The target, in seconds of counted time.
    public var targetSeconds: Int
    /// How time was counted.
    public var counting: SLACounting
    /// The calendar's time zone when counting working time.
    public var timeZone: String?
    /// The start of the clock.
    public var from: Date
    /// Each pause that fell before the deadline and the counted time it added.
    public var pauses: [AppliedPause]
    /// The limit as the policy states it, when it sets one (`milestoneLimits`, `resultLimits`).
    public var limit: SLALimit? = nil

    /// A pause and what it cost the clock.
    public struct AppliedPause: Sendable, Equatable, Codable {
        public var start: Date
        public var end: Date?
        /// Counted seconds that did not count because of the pause.
        public var countedSeconds: Int

        /// Creates an applied pause.
        public init(start: Date, end: Date?, countedSeconds: Int) {
            self.start = start
            self.end = end
            self.countedSeconds = countedSeconds
        }
    }
}

/// The SLA clock: a pure function from (start, target, counting, calendar, pauses) to a
/// deadline, walking the calendar interval by interval. Every deadline can be re-derived and
/// explained; recomputation after re-grading or a policy change is calling it again.
public enum SLAClock {
    /// How far ahead the clock looks before giving up on a calendar with no working time. 10 years.
    static let horizonDays = 3660

    /// The instant `target` of counted time after `start`, not counting `pauses`.
    public static func deadline(from start: Date, target: Duration, counting: SLACounting,
                                calendar: WorkingCalendar?, pauses: [SLAPause] = []) -> SLADeadline {
        let targetSeconds = Int(target.components.seconds)
        let ordered = pauses.filter { ($0.end ?? .distantFuture) > start }.sorted { $0.start < $1.start }
        var remaining = TimeInterval(targetSeconds)
        var applied = ordered.map { SLADeadline.AppliedPause(start: $0.start, end: $0.end, countedSeconds: 0) }
        var result: Date?
        walk(from: start, counting: counting, calendar: calendar) { interval in
            // Split the counting interval around the pauses.
            var cursor = interval.start
            for (index, pause) in ordered.enumerated() {
                let pauseStart = max(pause.start, interval.start)
                let pauseEnd = min(pause.end ?? .distantFuture, interval.end)
                guard pauseStart < pauseEnd, pauseEnd > cursor else { continue }
                if pauseStart > cursor {
                    if let end = consume(DateInterval(start: cursor, end: pauseStart), &remaining) { result = end; return false }
                }
                applied[index].countedSeconds += Int(pauseEnd.timeIntervalSince(max(pauseStart, cursor)).rounded())
                cursor = pauseEnd
                if pause.end == nil && pauseEnd == interval.end { return false }
            }
            if cursor < interval.end {
                if let end = consume(DateInterval(start: cursor, end: interval.end), &remaining) { result = end; return false }
            }
            // An open pause starting exactly where this interval ends stops the clock there.
            if ordered.contains(where: { $0.end == nil && $0.start <= interval.end }) { return false }
            return true
        }
        // An open pause has no cost yet: the clock simply stands still from its start.
        let used = applied.filter { pause in result.map { pause.start < $0 } ?? true }
            .map { pause in pause.end == nil ? SLADeadline.AppliedPause(start: pause.start, end: nil, countedSeconds: 0) : pause }
        return SLADeadline(at: result, targetSeconds: targetSeconds, counting: counting,
                           timeZone: counting == .workingCalendar ? calendar?.timeZone : nil, from: start, pauses: used)
    }

    /// Counted time between two instants (for how late something is, in the policy's terms).
    public static func countedSeconds(from start: Date, to end: Date, counting: SLACounting, calendar: WorkingCalendar?) -> Int {
        guard end > start else { return 0 }
        var total: TimeInterval = 0
        walk(from: start, counting: counting, calendar: calendar) { interval in
            if interval.start >= end { return false }
            total += min(interval.end, end).timeIntervalSince(interval.start)
            return interval.end < end
        }
        return Int(total.rounded())
    }

    /// Calls `body` with each counting interval from `start` on, in order, until it returns false.
    static func walk(from start: Date, counting: SLACounting, calendar: WorkingCalendar?, _ body: (DateInterval) -> Bool) {
        guard counting == .workingCalendar, let calendar else {
            // Calendar hours: one unbounded stretch, handed out a day at a time.
            var cursor = start
            for _ in 0..<horizonDays {
                let next = cursor.addingTimeInterval(86_400)
                if !body(DateInterval(start: cursor, end: next)) { return }
                cursor = next
            }
            return
        }
        var day = calendar.localDate(of: start)
        for _ in 0..<horizonDays {
            for interval in calendar.workingIntervals(on: day) where interval.end > start {
                if !body(DateInterval(start: max(interval.start, start), end: interval.end)) { return }
            }
            day = calendar.next(day)
        }
    }

    /// Uses up to `remaining` seconds of `interval`; returns the instant the target is reached, if it is.
    private static func consume(_ interval: DateInterval, _ remaining: inout TimeInterval) -> Date? {
        if interval.duration >= remaining {
            let end = interval.start.addingTimeInterval(remaining)
            remaining = 0
            return end
        }
        remaining -= interval.duration
        return nil
    }
}
