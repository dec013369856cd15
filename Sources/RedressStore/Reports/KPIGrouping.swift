/// What a KPI report's rows are: each branch's totals, and with a grouping its departments or
/// responsible persons too.
public enum KPIGrouping: String, Sendable, Codable, CaseIterable {
    case none
    case department
    /// Each responsible person's performance.
    case responsible
}
