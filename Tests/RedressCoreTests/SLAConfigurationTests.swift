import Foundation
import RedressCore
import Testing

@Suite("SLA policy validation and calendar text")
struct SLAConfigurationTests {
    @Test func theStandardPolicyIsValid() {
        #expect(SLAPolicy.standard().problems.isEmpty)
        #expect(SLAPolicy.standard().ackWindowMinutes == 15)
    }

    @Test func aBrokenPolicyNamesEveryBrokenField() {
        var policy = SLAPolicy.standard()
        policy.milestoneHours[.acknowledge] = 0
        policy.resultHours["general"] = nil
        policy.resultHours["someday"] = 10
        policy.ladder = [EscalationTier(tier: 1, afterHours: 48, recipients: [.departmentHead]),
                         EscalationTier(tier: 3, afterHours: 24, recipients: [])]
        policy.ackWindowMinutes = 2000
        policy.emergencyLadderPercent = 0
        #expect(policy.problems.map(\.field) == [
            "milestoneHours.acknowledge", "resultHours.general", "resultHours.someday",
            "ladder[1].tier", "ladder[1].afterHours", "ladder[1].recipients", "ackWindowMinutes", "emergencyLadderPercent",
        ])
        policy.ladder = []
        #expect(policy.problems.map(\.field).contains("ladder"))
    }

    @Test func weeklyHoursParseFromTextAndBack() {
        let parsed = WorkingCalendar.parseHours(["monday": ["09:00-12:00", "13:00-18:00"], "saturday": ["10:00-24:00"]])
        #expect(parsed.problems.isEmpty)
        #expect(parsed.hours[2] == [WorkingCalendar.Interval(9, 0, 12, 0), WorkingCalendar.Interval(13, 0, 18, 0)])
        #expect(parsed.hours[7] == [WorkingCalendar.Interval(10, 0, 24, 0)])
        let calendar = WorkingCalendar(timeZone: "Asia/Shanghai", hours: parsed.hours)
        #expect(calendar.hoursText == ["monday": ["09:00-12:00", "13:00-18:00"], "saturday": ["10:00-24:00"]])
    }

    @Test func badHoursAreNamed() {
        let parsed = WorkingCalendar.parseHours(["monday": ["12:00-09:00", "9:00-10:00", "10:00-11:60"],
                                                 "tuesday": ["09:00-12:00", "11:00-13:00"], "someday": []])
        #expect(parsed.problems.map(\.field) == ["hours.monday[0]", "hours.monday[1]", "hours.monday[2]", "hours.someday", "hours.tuesday[1]"])
        #expect(WorkingCalendar.Interval(text: "00:00-24:00") != nil)
        #expect(WorkingCalendar.Interval(text: "00:00-24:01") == nil)
        #expect(WorkingCalendar.Interval(text: "０９:00-12:00") == nil, "ASCII digits only")
    }

    @Test func localDatesMustExist() {
        #expect(LocalDate("2028-02-29") == LocalDate(2028, 2, 29))
        #expect(LocalDate("2027-02-29") == nil)
        #expect(LocalDate("2026-04-31") == nil)
        #expect(LocalDate("2026-4-30") == nil)
        #expect(LocalDate("-2026-04-30") == nil)
    }
}
