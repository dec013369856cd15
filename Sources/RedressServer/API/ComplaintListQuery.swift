import Foundation
import RedressCore
import RedressStore

/// The query of the complaint listing, which the phone lookup takes too: filters, order and
/// keyset pagination, as the generated query types of both operations hold them.
protocol ComplaintListQuery {
    var limit: Components.Parameters.Limit? { get }
    var cursor: Components.Parameters.Cursor? { get }
    var status: Components.Parameters.Statuses? { get }
    var departmentId: Components.Parameters.DepartmentId? { get }
    var myDepartments: Components.Parameters.MyDepartments? { get }
    var assignedToMe: Components.Parameters.AssignedToMe? { get }
    var categoryId: Components.Parameters.CategoryId? { get }
    var level: Components.Parameters.Level? { get }
    var priority: Components.Parameters.Priority? { get }
    var channel: Components.Parameters.Channel? { get }
    var receivedFrom: Components.Parameters.ReceivedFrom? { get }
    var receivedBefore: Components.Parameters.ReceivedBefore? { get }
    var q: Components.Parameters.Q? { get }
    var overdue: Components.Parameters.Overdue? { get }
    var escalated: Components.Parameters.Escalated? { get }
    var sort: Components.Parameters.Sort? { get }
    /// Refused whenever present: phone numbers travel in the body of the lookup, never in URLs.
    var phone: Components.Parameters.PhoneInURL? { get }
}

extension Operations.ListComplaints.Input.Query: ComplaintListQuery {}
extension Operations.SearchComplaintsByPhone.Input.Query: ComplaintListQuery {}

extension ComplaintListQuery {
    /// The store's filter, or a 400 naming `phone` when the URL carries a phone number.
    func filter() throws -> ComplaintFilter {
        if phone != nil {
            throw Problem.invalidRequest([.init(field: "phone", message: "is not accepted in the URL; send it in the body of a POST to the search endpoint")])
        }
        var filter = ComplaintFilter()
        filter.statuses = try (status ?? []).map { try UnlistedValue.member($0.rawValue, "status") }
        filter.departmentID = try Wire.id(departmentId, "departmentId")
        filter.myDepartments = myDepartments ?? false
        filter.assignedToMe = assignedToMe ?? false
        filter.categoryID = try Wire.id(categoryId, "categoryId")
        filter.level = level
        filter.priority = priority?.rawValue
        filter.channel = channel?.rawValue
        filter.receivedFrom = receivedFrom
        filter.receivedBefore = receivedBefore
        filter.search = q
        filter.overdue = overdue ?? false
        filter.escalated = escalated
        filter.sort = try sort.map { try UnlistedValue.member($0.rawValue, "sort") } ?? .received
        return filter
    }

    /// `limit` (default 50) and the position after the previous page's last item.
    func page() throws -> PageRequest { try Wire.page(limit: limit, cursor: cursor) }
}
