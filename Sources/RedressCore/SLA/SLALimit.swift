import Foundation

/// The unit a time limit is stated in, as the sources state them: minutes for what is urgent,
/// hours by the clock or of working time, and working days.
public enum SLAUnit: String, Sendable, Codable, Equatable, CaseIterable {
    case calendarMinutes = "calendar_minutes"
    case calendarHours = "calendar_hours"
    /// Hours of the branch's working time.
    case workingHours = "working_hours"
    /// Whole working days, counted from the day after receipt: the limit ends with the last working
    /// interval of the last of them.
    case workingDays = "working_days"

    /// The amounts a limit in this unit may take (up to a year).
    public var allowed: ClosedRange<Int> {
        switch self {
        case .calendarMinutes: return 1...525_600
        case .calendarHours, .workingHours: return 1...8760
        case .workingDays: return 1...365
        }
    }
}

/// A time limit: an amount of a unit.
public struct SLALimit: Sendable, Codable, Equatable {
    public var amount: Int
    public var unit: SLAUnit

    /// Creates a limit.
    public init(_ amount: Int, _ unit: SLAUnit) {
        self.amount = amount
        self.unit = unit
    }
}

extension SLAClock {
    /// The deadline `limit` after `start`, not counting `pauses`. Working units count the
    /// calendar's working time (every hour without a calendar); a working-day limit is the working
    /// time from `start` to the end of its last day, so a pause moves it by the working time it took.
    public static func deadline(from start: Date, limit: SLALimit, calendar: WorkingCalendar?, pauses: [SLAPause] = []) -> SLADeadline {
        var deadline: SLADeadline
        switch limit.unit {
        case .calendarMinutes:
            deadline = Self.deadline(from: start, target: .seconds(limit.amount * 60), counting: .calendarHours, calendar: calendar, pauses: pauses)
        case .calendarHours:
            deadline = Self.deadline(from: start, target: .seconds(limit.amount * 3600), counting: .calendarHours, calendar: calendar, pauses: pauses)
        case .workingHours:
            deadline = Self.deadline(from: start, target: .seconds(limit.amount * 3600), counting: .workingCalendar, calendar: calendar,
                                     pauses: pauses)
        case .workingDays:
            guard let calendar, let end = endOfWorkingDays(limit.amount, after: start, calendar: calendar) else {
                deadline = Self.deadline(from: start, target: .seconds(limit.amount * 86_400), counting: .calendarHours, calendar: nil,
                                         pauses: pauses)
                break
            }
            let target = countedSeconds(from: start, to: end, counting: .workingCalendar, calendar: calendar)
            deadline = Self.deadline(from: start, target: .seconds(target), counting: .workingCalendar, calendar: calendar, pauses: pauses)
        }
        deadline.limit = limit
        return deadline
    }

    /// The end of the last working interval of the `days`-th working day after the local date of
    /// `start`; nil when the calendar has no such day within the horizon.
    static func endOfWorkingDays(_ days: Int, after start: Date, calendar: WorkingCalendar) -> Date? {
        var day = calendar.localDate(of: start)
        var counted = 0
        for _ in 0..<horizonDays {
            day = calendar.next(day)
            guard let last = calendar.workingIntervals(on: day).last else { continue }
            counted += 1
            if counted == days { return last.end }
        }
        return nil
    }
}
