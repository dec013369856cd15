import Foundation

/// A branch's working time: its time zone, working intervals per weekday (several per day, e.g.
/// 09:00–12:00 and 13:00–18:00), holidays, and make-up working days (weekend days worked in
/// exchange for a holiday, with the hours of a normal working day).
public struct WorkingCalendar: Sendable, Equatable, Codable {
    /// Minutes after local midnight: `start..<end`, within one day.
    public struct Interval: Sendable, Equatable, Codable {
        public var start: Int
        public var end: Int

        /// Creates an interval from hours and minutes, e.g. `Interval(9, 0, 12, 0)`.
        public init(_ startHour: Int, _ startMinute: Int, _ endHour: Int, _ endMinute: Int) {
            start = startHour * 60 + startMinute
            end = endHour * 60 + endMinute
        }
    }

    /// IANA identifier, e.g. `Asia/Shanghai`.
    public var timeZone: String
    /// Working intervals by weekday, 1 = Sunday … 7 = Saturday (Foundation's numbering).
    public var hours: [Int: [Interval]]
    /// Days off although their weekday normally works.
    public var holidays: Set<LocalDate>
    /// Days that work although their weekday normally does not.
    public var makeUpDays: Set<LocalDate>
    /// The hours of a make-up day. Default 09:00–12:00 and 13:00–18:00.
    public var makeUpHours: [Interval]

    /// Creates a calendar.
    public init(timeZone: String, hours: [Int: [Interval]], holidays: Set<LocalDate> = [], makeUpDays: Set<LocalDate> = [],
                makeUpHours: [Interval] = [Interval(9, 0, 12, 0), Interval(13, 0, 18, 0)]) {
        self.timeZone = timeZone
        self.hours = hours
        self.holidays = holidays
        self.makeUpDays = makeUpDays
        self.makeUpHours = makeUpHours
    }

    /// Monday to Friday, 09:00–12:00 and 13:00–18:00, in `timeZone`.
    public static func officeHours(_ timeZone: String, holidays: Set<LocalDate> = [], makeUpDays: Set<LocalDate> = []) -> WorkingCalendar {
        let day = [Interval(9, 0, 12, 0), Interval(13, 0, 18, 0)]
        return WorkingCalendar(timeZone: timeZone, hours: [2: day, 3: day, 4: day, 5: day, 6: day],
                               holidays: holidays, makeUpDays: makeUpDays, makeUpHours: day)
    }

    /// A Gregorian calendar in this calendar's time zone.
    var gregorian: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        return calendar
    }

    /// The local day an instant falls on.
    public func localDate(of instant: Date) -> LocalDate {
        let parts = gregorian.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(parts.year!, parts.month!, parts.day!)
    }

    /// The working intervals of `date` as instants. Local times that a DST change skips move
    /// forward with the clocks; repeated local times count once.
    public func workingIntervals(on date: LocalDate) -> [DateInterval] {
        let calendar = gregorian
        guard let midnight = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) else { return [] }
        let weekday = calendar.component(.weekday, from: midnight)
        let intervals: [Interval]
        if holidays.contains(date) {
            intervals = []
        } else if makeUpDays.contains(date) {
            intervals = makeUpHours
        } else {
            intervals = hours[weekday] ?? []
        }
        return intervals.compactMap { interval in
            guard let start = instant(date, minutes: interval.start, calendar),
                  let end = instant(date, minutes: interval.end, calendar), end > start else { return nil }
            return DateInterval(start: start, end: end)
        }
    }

    private func instant(_ date: LocalDate, minutes: Int, _ calendar: Calendar) -> Date? {
        calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day,
                                           hour: minutes / 60, minute: minutes % 60))
    }

    /// The day after `date`.
    func next(_ date: LocalDate) -> LocalDate {
        let calendar = gregorian
        let noon = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!
        return localDate(of: calendar.date(byAdding: .day, value: 1, to: noon)!)
    }

    /// Local midnight of `date` as an instant (the first instant of the day when DST skips midnight).
    func startOfDay(_ date: LocalDate) -> Date {
        gregorian.startOfDay(for: gregorian.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!)
    }
}
