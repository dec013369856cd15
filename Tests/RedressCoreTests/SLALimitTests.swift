import Foundation
import RedressCore
import Testing

/// Time limits in the units the sources use: calendar minutes and hours, working hours, and working
/// days counted from the day after receipt.
@Suite("SLA limits in their own units")
struct SLALimitTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    let shanghai = WorkingCalendar.officeHours("Asia/Shanghai")

    func deadline(_ start: String, _ limit: SLALimit, _ calendar: WorkingCalendar? = nil, pauses: [SLAPause] = []) -> Date? {
        SLAClock.deadline(from: Self.at(start), limit: limit, calendar: calendar ?? shanghai, pauses: pauses).at
    }

    @Test func workingDaysEndWithTheLastWorkingHourOfTheLastDay() {
        // Friday afternoon: Monday, Tuesday, Wednesday.
        #expect(deadline("2026-11-20T15:00:00+08:00", SLALimit(3, .workingDays)) == Self.at("2026-11-25T18:00:00+08:00"))
        // Saturday: the first working day after it is Monday.
        #expect(deadline("2026-11-21T10:00:00+08:00", SLALimit(1, .workingDays)) == Self.at("2026-11-23T18:00:00+08:00"))
        // Early on a working day: that day is not counted.
        #expect(deadline("2026-11-23T08:00:00+08:00", SLALimit(1, .workingDays)) == Self.at("2026-11-24T18:00:00+08:00"))
        // A holiday on Tuesday is skipped.
        let holiday = WorkingCalendar.officeHours("Asia/Shanghai", holidays: [LocalDate(2026, 11, 24)])
        #expect(deadline("2026-11-20T15:00:00+08:00", SLALimit(3, .workingDays), holiday) == Self.at("2026-11-26T18:00:00+08:00"))
    }

    @Test func aPauseMovesWorkingDaysByTheWorkingTimeItTook() {
        let pause = SLAPause(start: Self.at("2026-11-23T10:00:00+08:00"), end: Self.at("2026-11-23T12:00:00+08:00"))
        // Two working hours paused on Monday: Wednesday 18:00 becomes Thursday 11:00.
        #expect(deadline("2026-11-20T15:00:00+08:00", SLALimit(3, .workingDays), pauses: [pause]) == Self.at("2026-11-26T11:00:00+08:00"))
    }

    @Test func minutesAndHoursCountAsTheirUnitSays() {
        #expect(deadline("2026-11-21T22:00:00+08:00", SLALimit(30, .calendarMinutes)) == Self.at("2026-11-21T22:30:00+08:00"))
        #expect(deadline("2026-11-21T22:00:00+08:00", SLALimit(2, .calendarHours)) == Self.at("2026-11-22T00:00:00+08:00"))
        #expect(deadline("2026-11-21T22:00:00+08:00", SLALimit(2, .workingHours)) == Self.at("2026-11-23T11:00:00+08:00"))
        // Without a calendar, working time is every hour and a working day 24 of them.
        let none = SLAClock.deadline(from: Self.at("2026-11-21T22:00:00+08:00"), limit: SLALimit(1, .workingDays), calendar: nil)
        #expect(none.at == Self.at("2026-11-22T22:00:00+08:00") && none.limit == SLALimit(1, .workingDays))
    }

    @Test func aPolicysStatedLimitsReplaceItsHours() {
        var policy = SLAPolicy.standard(counting: .workingCalendar)
        policy.milestoneLimits[.acknowledge] = SLALimit(30, .calendarMinutes)
        policy.resultLimits["urgent"] = SLALimit(1, .workingDays)
        let schedule = SLASchedule(policy: policy, receivedAt: Self.at("2026-11-20T15:00:00+08:00"), priority: "urgent",
                                   calendar: shanghai, pauses: [])
        #expect(schedule.milestones[.acknowledge]?.at == Self.at("2026-11-20T15:30:00+08:00"))
        #expect(schedule.milestones[.result]?.at == Self.at("2026-11-23T18:00:00+08:00"))
        #expect(schedule.milestones[.result]?.limit == SLALimit(1, .workingDays))
        #expect(schedule.milestones[.initialReply]?.limit == nil, "48 working hours, as before")
        #expect(policy.problems.isEmpty)
        policy.resultLimits["general"] = SLALimit(366, .workingDays)
        policy.resultLimits["someday"] = SLALimit(1, .workingDays)
        policy.milestoneLimits[.result] = SLALimit(1, .workingDays)
        #expect(policy.problems.map(\.field) == ["milestoneLimits.result", "resultLimits.general.amount", "resultLimits.someday"])
    }
}
