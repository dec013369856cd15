import Foundation
import RedressCore
import Testing

/// The SLA clock and working calendars, without a database.
@Suite("SLA clock and working calendars")
struct SLAClockTests {
    static func at(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    let shanghai = WorkingCalendar.officeHours("Asia/Shanghai")

    func deadline(_ start: String, hours: Int, _ counting: SLACounting, _ calendar: WorkingCalendar? = nil,
                  pauses: [SLAPause] = []) -> SLADeadline {
        SLAClock.deadline(from: Self.at(start), target: .seconds(hours * 3600), counting: counting,
                          calendar: calendar ?? shanghai, pauses: pauses)
    }

    @Test func calendarHoursCountEveryHour() {
        #expect(deadline("2026-11-20T10:00:00+08:00", hours: 24, .calendarHours).at == Self.at("2026-11-21T10:00:00+08:00"))
        #expect(deadline("2026-11-20T10:00:00+08:00", hours: 72, .calendarHours).at == Self.at("2026-11-23T10:00:00+08:00"))
    }

    @Test func workingTimeSkipsNightsWeekendsAndLunch() {
        // Friday 17–18 is one hour; Monday 9–12 three more; 13:00 + 4 h.
        #expect(deadline("2026-11-20T17:00:00+08:00", hours: 8, .workingCalendar).at == Self.at("2026-11-23T17:00:00+08:00"))
        #expect(deadline("2026-11-23T11:00:00+08:00", hours: 2, .workingCalendar).at == Self.at("2026-11-23T14:00:00+08:00"))
    }

    @Test func aComplaintReceivedOutsideWorkingHoursStartsAtTheNextWorkingMinute() {
        #expect(deadline("2026-11-21T10:00:00+08:00", hours: 3, .workingCalendar).at == Self.at("2026-11-23T12:00:00+08:00"), "Saturday")
        #expect(deadline("2026-11-23T12:30:00+08:00", hours: 1, .workingCalendar).at == Self.at("2026-11-23T14:00:00+08:00"), "lunch")
        #expect(deadline("2026-11-23T20:00:00+08:00", hours: 1, .workingCalendar).at == Self.at("2026-11-24T10:00:00+08:00"), "evening")
        #expect(deadline("2026-11-23T03:00:00+08:00", hours: 1, .workingCalendar).at == Self.at("2026-11-23T10:00:00+08:00"), "night")
    }

    @Test func holidaysDoNotCountAndMakeUpDaysDo() {
        let holiday = WorkingCalendar.officeHours("Asia/Shanghai", holidays: [LocalDate(2026, 11, 23)])
        #expect(deadline("2026-11-20T17:00:00+08:00", hours: 8, .workingCalendar, holiday).at == Self.at("2026-11-24T17:00:00+08:00"))
        let makeUp = WorkingCalendar.officeHours("Asia/Shanghai", makeUpDays: [LocalDate(2026, 11, 21)])
        #expect(deadline("2026-11-20T17:00:00+08:00", hours: 8, .workingCalendar, makeUp).at == Self.at("2026-11-21T17:00:00+08:00"))
        #expect(holiday.workingIntervals(on: LocalDate(2026, 11, 23)).isEmpty)
        #expect(makeUp.workingIntervals(on: LocalDate(2026, 11, 21)).count == 2)
    }

    @Test func aPauseAcrossTheWeekendExtendsCalendarHoursByItsLength() {
        let pause = SLAPause(start: Self.at("2026-11-20T18:00:00+08:00"), end: Self.at("2026-11-23T09:00:00+08:00"))
        let result = deadline("2026-11-20T10:00:00+08:00", hours: 24, .calendarHours, pauses: [pause])
        // 8 h before the pause, 16 h after it.
        #expect(result.at == Self.at("2026-11-24T01:00:00+08:00"))
        #expect(result.pauses == [SLADeadline.AppliedPause(start: pause.start, end: pause.end, countedSeconds: 63 * 3600)])
    }

    @Test func aPauseAcrossTheWeekendExtendsWorkingTimeOnlyByTheWorkingHoursItCovered() {
        let pause = SLAPause(start: Self.at("2026-11-20T17:00:00+08:00"), end: Self.at("2026-11-23T10:00:00+08:00"))
        let without = deadline("2026-11-20T16:00:00+08:00", hours: 4, .workingCalendar)
        #expect(without.at == Self.at("2026-11-23T11:00:00+08:00"))
        let result = deadline("2026-11-20T16:00:00+08:00", hours: 4, .workingCalendar, pauses: [pause])
        #expect(result.at == Self.at("2026-11-23T14:00:00+08:00"))
        #expect(result.pauses.map(\.countedSeconds) == [2 * 3600], "Friday 17–18 and Monday 9–10")
        #expect(result.timeZone == "Asia/Shanghai" && result.counting == .workingCalendar && result.targetSeconds == 4 * 3600)
    }

    @Test func anOpenPauseStopsTheClock() {
        let open = SLAPause(start: Self.at("2026-11-20T12:00:00+08:00"), end: nil)
        let result = deadline("2026-11-20T10:00:00+08:00", hours: 24, .calendarHours, pauses: [open])
        #expect(result.at == nil)
        #expect(result.pauses == [SLADeadline.AppliedPause(start: open.start, end: nil, countedSeconds: 0)])
        let working = deadline("2026-11-20T10:00:00+08:00", hours: 24, .workingCalendar, pauses: [open])
        #expect(working.at == nil)
    }

    @Test func pausesOutsideTheRunningClockAreIgnored() {
        let before = SLAPause(start: Self.at("2026-11-19T10:00:00+08:00"), end: Self.at("2026-11-19T12:00:00+08:00"))
        let after = SLAPause(start: Self.at("2026-11-25T10:00:00+08:00"), end: Self.at("2026-11-25T12:00:00+08:00"))
        let result = deadline("2026-11-20T10:00:00+08:00", hours: 24, .calendarHours, pauses: [after, before])
        #expect(result.at == Self.at("2026-11-21T10:00:00+08:00"))
        #expect(result.pauses.isEmpty)
    }

    @Test func twoPausesBothCount() {
        let first = SLAPause(start: Self.at("2026-11-20T11:00:00+08:00"), end: Self.at("2026-11-20T13:00:00+08:00"))
        let second = SLAPause(start: Self.at("2026-11-20T20:00:00+08:00"), end: Self.at("2026-11-20T21:00:00+08:00"))
        let result = deadline("2026-11-20T10:00:00+08:00", hours: 24, .calendarHours, pauses: [second, first])
        #expect(result.at == Self.at("2026-11-21T13:00:00+08:00"))
        #expect(result.pauses.map(\.countedSeconds) == [7200, 3600])
    }

    @Test func daylightSavingChangesCountRealHours() {
        let berlin = WorkingCalendar.officeHours("Europe/Berlin")
        // Spring forward: the night of 28–29 March 2026 has 23 hours.
        #expect(deadline("2026-03-28T12:00:00+01:00", hours: 24, .calendarHours, berlin).at == Self.at("2026-03-29T13:00:00+02:00"))
        // Working hours stay 9:00 local on either side of the change.
        #expect(deadline("2026-03-27T17:00:00+01:00", hours: 2, .workingCalendar, berlin).at == Self.at("2026-03-30T10:00:00+02:00"))
        // Fall back: the night of 24–25 October 2026 has 25 hours.
        #expect(deadline("2026-10-24T12:00:00+02:00", hours: 24, .calendarHours, berlin).at == Self.at("2026-10-25T11:00:00+01:00"))
        #expect(deadline("2026-10-23T17:00:00+02:00", hours: 2, .workingCalendar, berlin).at == Self.at("2026-10-26T10:00:00+01:00"))
        // A calendar whose working interval spans the skipped hour counts one hour less that day.
        let night = WorkingCalendar(timeZone: "Europe/Berlin", hours: [1: [.init(1, 0, 4, 0)]])
        #expect(night.workingIntervals(on: LocalDate(2026, 3, 29)).map(\.duration) == [7200])
    }

    @Test func countedTimeBetweenInstants() {
        #expect(SLAClock.countedSeconds(from: Self.at("2026-11-20T17:00:00+08:00"), to: Self.at("2026-11-23T10:00:00+08:00"),
                                        counting: .workingCalendar, calendar: shanghai) == 7200)
        #expect(SLAClock.countedSeconds(from: Self.at("2026-11-20T17:00:00+08:00"), to: Self.at("2026-11-23T10:00:00+08:00"),
                                        counting: .calendarHours, calendar: nil) == 65 * 3600)
    }

    @Test func aCalendarWithoutWorkingTimeNeverReachesTheTarget() {
        let idle = WorkingCalendar(timeZone: "Asia/Shanghai", hours: [:])
        #expect(deadline("2026-11-20T10:00:00+08:00", hours: 1, .workingCalendar, idle).at == nil)
    }

    @Test func theMostSpecificCoveringPolicyApplies() {
        let billing = UUID()
        let standard = SLAPolicy.standard()
        var urgent = SLAPolicy.standard()
        urgent.name = "Urgent"
        urgent.priorities = ["urgent"]
        var billingMajor = SLAPolicy.standard(counting: .workingCalendar)
        billingMajor.name = "Billing major"
        billingMajor.categoryIDs = [billing]
        billingMajor.natures = ["major"]
        let policies = [standard, urgent, billingMajor]
        #expect(SLAPolicy.choose(policies, for: SLAFacts(categoryID: nil, priority: "general", level: 3, nature: "general")) == standard)
        #expect(SLAPolicy.choose(policies, for: SLAFacts(categoryID: billing, priority: "urgent", level: 1, nature: "general")) == urgent)
        #expect(SLAPolicy.choose(policies, for: SLAFacts(categoryID: billing, priority: "urgent", level: 1, nature: "major")) == billingMajor)
        #expect(SLAPolicy.choose([urgent], for: SLAFacts(categoryID: nil, priority: "general", level: nil, nature: "general")) == nil)
    }

    @Test func theScheduleFollowsThePolicyAndIsRecomputedOnReGrading() {
        let received = Self.at("2026-11-20T10:00:00+08:00")
        let policy = SLAPolicy.standard()
        let general = SLASchedule(policy: policy, receivedAt: received, priority: "general", calendar: shanghai, pauses: [])
        #expect(general.tiers.mapValues(\.at) == [1: Self.at("2026-11-21T10:00:00+08:00"), 2: Self.at("2026-11-22T10:00:00+08:00"),
                                                  3: Self.at("2026-11-23T10:00:00+08:00")])
        #expect(general.milestones[.result]?.at == Self.at("2026-11-23T10:00:00+08:00"))
        #expect(general.milestones[.acknowledge]?.at == Self.at("2026-11-21T10:00:00+08:00"))
        let urgent = SLASchedule(policy: policy, receivedAt: received, priority: "urgent", calendar: shanghai, pauses: [])
        #expect(urgent.milestones[.result]?.at == Self.at("2026-11-21T10:00:00+08:00"), "re-grading to urgent pulls the result in")
        let working = SLASchedule(policy: .standard(id: policy.id, counting: .workingCalendar), receivedAt: received,
                                  priority: "general", calendar: shanghai, pauses: [])
        #expect(working.tiers[1]?.at == Self.at("2026-11-25T10:00:00+08:00"), "24 working hours: Friday 7, Monday 8, Tuesday 8, Wednesday 1")
        #expect(general.nextDue(completed: [], firedTiers: []) == Self.at("2026-11-21T10:00:00+08:00"))
        #expect(general.nextDue(completed: [.acknowledge], firedTiers: [1]) == Self.at("2026-11-22T10:00:00+08:00"))
        #expect(general.nextDue(completed: Set(SLAMilestone.allCases), firedTiers: [1, 2, 3]) == nil)
    }
}
