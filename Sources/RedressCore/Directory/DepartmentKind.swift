/// What a department does; the names are the branch's own, the kind tells the system which
/// department receives intake, tier-2 pages (the complaint management office), and so on.
public enum DepartmentKind: String, Codable, CaseIterable, Sendable {
    case customerService = "customer_service"
    case complaintOffice = "complaint_office"
    case networkOperations = "network_operations"
    case billing
    case product
    case serviceQuality = "service_quality"
    case afterSales = "after_sales"
    case legal
    case other
}
