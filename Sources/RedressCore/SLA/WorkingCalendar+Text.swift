import Foundation

extension WorkingCalendar {
    /// Weekday names as the API spells them, by Foundation's weekday number minus one.
    public static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// Weekly hours as text: weekday name → intervals such as `"09:00-12:00"`, in order.
    public var hoursText: [String: [String]] {
        Dictionary(uniqueKeysWithValues: hours.compactMap { weekday, intervals in
            (1...7).contains(weekday) ? (Self.weekdayNames[weekday - 1], intervals.map(\.text)) : nil
        })
    }

    /// Parses weekly hours from their text form; every problem is named by its field, e.g.
    /// `hours.monday[1]`. Intervals of a day must be in order and must not overlap.
    public static func parseHours(_ text: [String: [String]]) -> (hours: [Int: [Interval]], problems: [ConfigurationProblem]) {
        var hours: [Int: [Interval]] = [:]
        var problems: [ConfigurationProblem] = []
        for (name, spans) in text.sorted(by: { $0.key < $1.key }) {
            guard let index = weekdayNames.firstIndex(of: name) else {
                problems.append(.init(field: "hours.\(name)", message: "is not a weekday (sunday … saturday)"))
                continue
            }
            var intervals: [Interval] = []
            for (position, span) in spans.enumerated() {
                guard let interval = Interval(text: span) else {
                    problems.append(.init(field: "hours.\(name)[\(position)]", message: "must look like 09:00-12:00, start before end"))
                    continue
                }
                if let last = intervals.last, interval.start < last.end {
                    problems.append(.init(field: "hours.\(name)[\(position)]", message: "must start after the interval before ends"))
                }
                intervals.append(interval)
            }
            if spans.count > 8 {
                problems.append(.init(field: "hours.\(name)", message: "may have at most 8 intervals"))
            }
            hours[index + 1] = intervals
        }
        return (hours, problems)
    }
}

extension WorkingCalendar.Interval {
    /// Parses `"HH:MM-HH:MM"` (the end may be `24:00`); nil unless the start is before the end.
    public init?(text: String) {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2, let start = Self.minutes(ends[0]), let end = Self.minutes(ends[1]), start < end else { return nil }
        self.init(start / 60, start % 60, end / 60, end % 60)
    }

    /// The interval as `"HH:MM-HH:MM"`.
    public var text: String {
        "\((start / 60).zeroPadded(2)):\((start % 60).zeroPadded(2))-\((end / 60).zeroPadded(2)):\((end % 60).zeroPadded(2))"
    }

    private static func minutes(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0...59).contains(minute) else { return nil }
        let total = hour * 60 + minute
        return (0...1440).contains(total) ? total : nil
    }
}
