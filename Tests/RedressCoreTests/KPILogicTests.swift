import Foundation
import RedressCore
import Testing

/// Which target holds when, and when a figure meets it: pure logic, without a database.
@Suite("KPI targets and attainment")
struct KPILogicTests {
    static let branch = UUID(), other = UUID(), billing = UUID(), legal = UUID()

    static func target(_ measure: KPIMeasure, _ value: Double, from: LocalDate, department: UUID? = nil, branch: UUID = branch) -> KPITarget {
        KPITarget(id: UUID(), branchID: branch, departmentID: department, measure: measure, target: value, from: from, setBy: UUID(),
                  setAt: Date())
    }

    @Test func theLatestTargetByTheMonthHoldsAndADepartmentsOwnComesFirst() {
        let book = KPITargetBook([
            Self.target(.satisfactionRate, 0.8, from: LocalDate(2026, 3, 1)),
            Self.target(.satisfactionRate, 0.85, from: LocalDate(2026, 7, 1)),
            Self.target(.satisfactionRate, 0.9, from: LocalDate(2026, 5, 1), department: Self.billing),
            Self.target(.satisfactionRate, 0.5, from: LocalDate(2026, 1, 1), branch: Self.other),
            Self.target(.repeatRate, 0.05, from: LocalDate(2026, 9, 1)),
        ])
        func value(_ measure: KPIMeasure, _ month: LocalDate, _ department: UUID? = nil, branch: UUID = Self.branch) -> Double? {
            book.target(measure, branch: branch, department: department, month: month)?.target
        }
        #expect(value(.satisfactionRate, LocalDate(2026, 2, 1)) == nil, "nothing set yet")
        #expect(value(.satisfactionRate, LocalDate(2026, 3, 31)) == 0.8, "from the first of its month")
        #expect(value(.satisfactionRate, LocalDate(2026, 6, 15)) == 0.8)
        #expect(value(.satisfactionRate, LocalDate(2026, 7, 1)) == 0.85, "replaced by the later one")
        #expect(value(.satisfactionRate, LocalDate(2026, 4, 1), Self.billing) == 0.8, "the branch's until the department's holds")
        #expect(value(.satisfactionRate, LocalDate(2026, 8, 1), Self.billing) == 0.9, "the department's own, though older than the branch's")
        #expect(value(.satisfactionRate, LocalDate(2026, 8, 1), Self.legal) == 0.85, "a department without one has the branch's")
        #expect(value(.satisfactionRate, LocalDate(2026, 8, 1), branch: Self.other) == 0.5, "each branch its own")
        #expect(value(.repeatRate, LocalDate(2026, 8, 31)) == nil && value(.repeatRate, LocalDate(2027, 1, 1)) == 0.05)
        #expect(value(.handlingDaysP90, LocalDate(2026, 8, 1)) == nil, "each measure its own")
    }

    @Test func higherRatesAndLowerTimesMeetTheirTargetsAndEqualMeetsIt() {
        let milestones = ["acknowledge": ReportCounts.Milestone(due: 20, onTime: 17), "result": ReportCounts.Milestone(due: 0, onTime: 0)]
        let counts = KPICounts(received: 40, repeats: 6, surveyed: 20, satisfiedOrBasically: 17, handled: 30, handlingDaysAverage: 4.5,
                               handlingDaysP90: 9.1, milestones: milestones)
        func attainment(_ measure: KPIMeasure, _ target: Double?) -> KPIAttainment { KPIAttainment(measure, target: target, counts: counts) }
        let satisfaction = attainment(.satisfactionRate, 0.85)
        #expect(satisfaction.actual == 0.85 && satisfaction.met == true && satisfaction.basis == 20, "17 of 20 meets 85 %")
        #expect(attainment(.satisfactionRate, 0.86).met == false)
        #expect(attainment(.repeatRate, 0.15).met == true && attainment(.repeatRate, 0.149).met == false, "6 of 40 is 15 %")
        #expect(attainment(.repeatRate, 0.15).basis == 40)
        #expect(attainment(.handlingDaysAverage, 4.5).met == true && attainment(.handlingDaysAverage, 4).met == false)
        #expect(attainment(.handlingDaysP90, 10).met == true && attainment(.handlingDaysP90, 9).met == false)
        #expect(attainment(.handlingDaysP90, 10).basis == 30)
        #expect(attainment(.onTimeRateAcknowledge, 0.85).met == true && attainment(.onTimeRateAcknowledge, 0.85).basis == 20)
        let nothingDue = attainment(.onTimeRateResult, 0.9)
        #expect(nothingDue.actual == nil && nothingDue.met == nil && nothingDue.basis == 0, "nothing due: neither met nor missed")
        #expect(attainment(.onTimeRateInitialReply, 0.9).basis == 0, "a milestone not counted counts nothing")
        let untargeted = attainment(.satisfactionRate, nil)
        #expect(untargeted.actual == 0.85 && untargeted.met == nil)
        let empty = KPIAttainment(.handlingDaysAverage, target: 3, counts: .zero)
        #expect(empty.actual == nil && empty.met == nil && empty.basis == 0)
    }

    @Test func eachMeasureSaysWhichWayIsBetterAndWhatTargetsMakeSense() {
        for measure in KPIMeasure.allCases {
            let times = [KPIMeasure.handlingDaysAverage, .handlingDaysP90].contains(measure)
            #expect(measure.higherIsBetter == !(times || measure == .repeatRate), "\(measure)")
            #expect(measure.targetRange == (times ? 0...366 : 0...1), "\(measure)")
            #expect((measure.milestone != nil) == measure.rawValue.hasPrefix("on_time_rate_"))
        }
        #expect(Set(KPIMeasure.allCases.compactMap(\.milestone)) == Set(SLAMilestone.allCases), "an on-time rate for every milestone")
    }
}
