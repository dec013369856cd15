import Foundation
import RedressCore
import Testing

@Suite("Report periods, figures and CSV")
struct ReportLogicTests {
    @Test func dayNumbersRoundTripAndKnowTheWeekday() {
        #expect(LocalDate(1970, 1, 1).dayNumber == 0)
        #expect(LocalDate(2026, 11, 23).isoWeekday == 1, "a Monday")
        #expect(LocalDate(2026, 11, 29).isoWeekday == 7, "a Sunday")
        #expect(LocalDate(1969, 12, 31).isoWeekday == 3, "a Wednesday, before the epoch")
        for day in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(LocalDate(dayNumber: day).dayNumber == day)
        }
        #expect(LocalDate(2024, 2, 28).adding(days: 1) == LocalDate(2024, 2, 29))
        #expect(LocalDate(2100, 2, 28).adding(days: 1) == LocalDate(2100, 3, 1), "2100 is not a leap year")
        #expect(LocalDate(2026, 1, 31).firstOfMonth(adding: -1) == LocalDate(2025, 12, 1))
    }

    @Test func periodsContainTheirDateAndFollowThePreviousOne() {
        let week = ReportPeriod(.week, containing: LocalDate(2026, 11, 26))
        #expect((week.from, week.to, week.previousFrom, week.previousTo)
                == (LocalDate(2026, 11, 23), LocalDate(2026, 11, 29), LocalDate(2026, 11, 16), LocalDate(2026, 11, 22)))
        let march = ReportPeriod(.month, containing: LocalDate(2024, 3, 31))
        #expect((march.from, march.to, march.previousFrom, march.previousTo)
                == (LocalDate(2024, 3, 1), LocalDate(2024, 3, 31), LocalDate(2024, 2, 1), LocalDate(2024, 2, 29)))
        let quarter = ReportPeriod(.quarter, containing: LocalDate(2026, 2, 14))
        #expect((quarter.from, quarter.to, quarter.previousFrom, quarter.previousTo)
                == (LocalDate(2026, 1, 1), LocalDate(2026, 3, 31), LocalDate(2025, 10, 1), LocalDate(2025, 12, 31)))
        let day = ReportPeriod(.day, containing: LocalDate(2026, 1, 1))
        #expect((day.from, day.to, day.previousFrom, day.previousTo)
                == (LocalDate(2026, 1, 1), LocalDate(2026, 1, 1), LocalDate(2025, 12, 31), LocalDate(2025, 12, 31)))
        let custom = ReportPeriod(from: LocalDate(2026, 3, 1), to: LocalDate(2026, 3, 10))!
        #expect((custom.previousFrom, custom.previousTo) == (LocalDate(2026, 2, 19), LocalDate(2026, 2, 28)), "ten days before")
        #expect(ReportPeriod(from: LocalDate(2026, 3, 2), to: LocalDate(2026, 3, 1)) == nil)
        #expect(ReportPeriod(from: LocalDate(2020, 1, 1), to: LocalDate(2026, 1, 1)) == nil, "longer than two years")
    }

    @Test func ratesAndChangesComeFromTheCounts() {
        var now = ReportCounts.zero
        now.received = 8
        now.resolved = 6
        now.repeats = 2
        now.surveyed = 4
        now.satisfied = 1
        now.basicallySatisfied = 2
        now.dissatisfied = 1
        now.satisfactionAverage = 6.5
        now.milestones["result"] = .init(due: 5, onTime: 4)
        var before = ReportCounts.zero
        before.received = 4
        before.resolved = 4
        before.milestones["result"] = .init(due: 4, onTime: 2)
        let current = ReportFigures(now), previous = ReportFigures(before)
        #expect(current.open == 2 && current.resolutionRate == 0.75 && current.repeatRate == 0.25)
        #expect(current.satisfactionRate == 0.75 && current.milestones["result"]?.rate == 0.8)
        #expect(current.milestones["acknowledge"]?.rate == nil, "nothing fell due")
        let change = ReportChange(from: previous, to: current)
        #expect(change.received == 4 && change.receivedRelative == 1.0 && change.resolutionRate == -0.25)
        #expect(abs((change.resultOnTimeRate ?? 0) - 0.3) < 1e-12 && change.satisfactionAverage == nil)
        let empty = ReportFigures(.zero)
        #expect(empty.resolutionRate == nil && ReportChange(from: empty, to: empty).receivedRelative == nil)
    }

    @Test func csvQuotesWhatNeedsQuotingAndDisarmsFormulas() {
        var table = CSVTable(header: ["name", "count", "rate"])
        table.append([.text("plain"), .integer(3), .decimal(0.05, places: 4)])
        table.append([.text("a, \"quoted\"\nline"), .integer(nil), .decimal(-0.05, places: 4)])
        table.append([.text("=HYPERLINK(\"x\")"), .integer(-2), .decimal(nil, places: 2)])
        table.append([.text("北京"), .integer(0), .decimal(1234.5, places: 2)])
        let text = String(decoding: table.encoded(byteOrderMark: false), as: UTF8.self)
        #expect(text == "name,count,rate\r\nplain,3,0.0500\r\n\"a, \"\"quoted\"\"\nline\",,-0.0500\r\n"
                + "\"'=HYPERLINK(\"\"x\"\")\",-2,\r\n北京,0,1234.50\r\n")
        #expect(Array(table.encoded(byteOrderMark: true).prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(CSVTable.Cell.decimal(-0.00001, places: 2) == .decimal(-0.00001, places: 2))
        var tiny = CSVTable(header: ["x"])
        tiny.append([.decimal(-0.00001, places: 2)])
        #expect(String(decoding: tiny.encoded(byteOrderMark: false), as: UTF8.self) == "x\r\n0.00\r\n", "no negative zero")
    }
}
