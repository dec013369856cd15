import Foundation
import RedressCore
import Testing

/// Emergencies (urgent priority or a safety matter) page their first tier at receipt and climb the
/// rest of the ladder after the policy's share of its time; everything else keeps the ladder.
@Suite("Emergency schedules")
struct EmergencyScheduleTests {
    static let received = ISO8601DateFormatter().date(from: "2026-11-21T22:00:00+08:00")!  // a Saturday night
    let shanghai = WorkingCalendar.officeHours("Asia/Shanghai")

    func tiers(_ policy: SLAPolicy, emergency: Bool, pauses: [SLAPause] = []) -> [Int: Date?] {
        SLASchedule(policy: policy, receivedAt: Self.received, priority: "urgent", calendar: shanghai, pauses: pauses, emergency: emergency)
            .tiers.mapValues(\.at)
    }

    @Test func urgentOrSafetyIsAnEmergencyAndNothingElse() {
        #expect(SLAFacts(categoryID: nil, priority: "urgent", level: nil, nature: "general").isEmergency)
        #expect(SLAFacts(categoryID: nil, priority: "general", level: 3, nature: "general", safety: true).isEmergency)
        #expect(!SLAFacts(categoryID: nil, priority: "important", level: 1, nature: "major").isEmergency)
    }

    @Test func theFirstTierFallsDueAtReceiptWhateverTheCalendarOrAPause() {
        let policy = SLAPolicy.standard(counting: .workingCalendar)
        let open = SLAPause(start: Self.received, end: nil)
        for pauses in [[], [open]] {
            #expect(tiers(policy, emergency: true, pauses: pauses)[1] == Self.received)
        }
        // Otherwise tier 1 waits 24 working hours, from Monday 09:00.
        let ordinary = tiers(policy, emergency: false)
        #expect(ordinary[1] == SLAClock.deadline(from: Self.received, target: .seconds(24 * 3600), counting: .workingCalendar,
                                                 calendar: shanghai).at)
        #expect(tiers(policy, emergency: true)[2] == ordinary[2], "at 100 % the later rungs keep their time")
    }

    @Test func thePolicyCompressesTheLaterRungs() {
        var policy = SLAPolicy.standard(counting: .calendarHours)
        policy.emergencyLadderPercent = 25
        let compressed = tiers(policy, emergency: true)
        #expect(compressed[1] == Self.received)
        #expect(compressed[2] == Self.received.addingTimeInterval(12 * 3600), "48 h at 25 %")
        #expect(compressed[3] == Self.received.addingTimeInterval(18 * 3600), "72 h at 25 %")
        #expect(tiers(policy, emergency: false)[2] == Self.received.addingTimeInterval(48 * 3600), "only emergencies are compressed")
    }
}
