import Foundation
import RedressCore

/// One group's counts in one month, as `reports.kpi_figures` gives them.
struct KPIFigure: Codable, Equatable {
    var branchId: UUID
    /// `YYYY-MM`.
    var month: String
    var total: Bool
    var key: String?
    var label: String?
    var received: Int
    var repeats: Int
    var surveyed: Int
    var satisfiedOrBasically: Int
    var handled: Int
    var handlingDaysAverage: Double?
    var handlingDaysP90: Double?
    var milestones: [String: ReportCounts.Milestone]

    var counts: KPICounts {
        KPICounts(received: received, repeats: repeats, surveyed: surveyed, satisfiedOrBasically: satisfiedOrBasically, handled: handled,
                  handlingDaysAverage: handlingDaysAverage, handlingDaysP90: handlingDaysP90, milestones: milestones)
    }
}
