import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// Intake answers with the schedule it computed (``SLAExplanation/asStored``) instead of reading
/// back the column it wrote; these must agree for every explanation the clock can produce.
@Suite("An SLA explanation answered without reading it back is the one the database gives back")
struct StoredExplanationTests {
    @Test func cuttingEveryTimeToTheSecondIsWhatStoringDoes() async throws {
        let database = try await TestDatabase.create()
        let calendar = WorkingCalendar(timeZone: "Asia/Shanghai", hours: Dictionary(uniqueKeysWithValues: (2...6).map {
            ($0, [WorkingCalendar.Interval(9, 0, 12, 0), WorkingCalendar.Interval(13, 30, 18, 0)])
        }), holidays: [LocalDate(2026, 10, 1)])
        var generator = SystemRandomNumberGenerator()
        var explanations: [SLAExplanation] = []
        for index in 0..<60 {
            let counting: SLACounting = index.isMultiple(of: 2) ? .calendarHours : .workingCalendar
            // Microseconds, as timestamptz gives them, some a hair before the next second.
            let micros = index % 3 == 0 ? 999_999 : Int.random(in: 0..<1_000_000, using: &generator)
            let received = Date(timeIntervalSince1970: Double(Int.random(in: 1_780_000_000...1_800_000_000, using: &generator)) + Double(micros) / 1e6)
            var pauses: [SLAPause] = []
            var start = received
            for pause in 0..<(index % 4) {
                start = start.addingTimeInterval(Double.random(in: 60...86_400, using: &generator))
                let end = pause == 2 ? nil : start.addingTimeInterval(Double.random(in: 1...7_200, using: &generator))
                pauses.append(SLAPause(start: start, end: end))
                if let end { start = end }
            }
            let policy = SLAPolicy.standard(counting: counting)
            let schedule = SLASchedule(policy: policy, receivedAt: received, priority: index % 5 == 0 ? "urgent" : "general",
                                       calendar: counting == .workingCalendar ? calendar : nil, pauses: pauses, emergency: index % 7 == 0)
            let completed = Set(SLAMilestone.allCases.filter { _ in Bool.random(using: &generator) })
            explanations.append(SLAExplanation(policy: policy, schedule: schedule, calendar: calendar, completed: completed))
        }
        #expect(explanations.contains { $0.asStored != $0 }, "the explanations hold times within a second")
        #expect(explanations.contains { $0.milestones.values.contains { $0.at == nil } }, "an open pause stops a clock")
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            for explanation in explanations {
                let stored = try await owner.query("SELECT \(PGJSON(explanation))::jsonb")[0].decode(PGJSON<SLAExplanation>.self, at: 0).value
                #expect(stored == explanation.asStored)
            }
        }
    }
}
