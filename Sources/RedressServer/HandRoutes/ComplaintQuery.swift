import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// Reads the complaint list's query parameters into a filter, naming any bad parameter.
enum ComplaintQuery {
    static func filter(_ request: Request) throws -> ComplaintFilter {
        let query = request.uri.queryParameters
        var filter = ComplaintFilter()
        var errors: [Problem.FieldError] = []
        func text(_ name: String) -> String? { query[Substring(name)].map(String.init) }
        for value in query.getAll("status") {
            guard let status = ComplaintStatus(rawValue: String(value)) else {
                errors.append(.init(field: "status", message: "must be one of " + ComplaintStatus.allCases.map(\.rawValue).joined(separator: ", ")))
                continue
            }
            filter.statuses.append(status)
        }
        do { filter.departmentID = try RequestParameters.optionalID(request, "departmentId") } catch let problem as Problem { errors += problem.errors ?? [] }
        do { filter.categoryID = try RequestParameters.optionalID(request, "categoryId") } catch let problem as Problem { errors += problem.errors ?? [] }
        if let level = text("level") {
            if let value = Int(level), (1...3).contains(value) { filter.level = value } else { errors.append(.init(field: "level", message: "must be 1, 2 or 3")) }
        }
        if let priority = text("priority") {
            if ComplaintVocabulary.priorities.contains(priority) { filter.priority = priority } else { errors.append(.init(field: "priority", message: "must be urgent, important or general")) }
        }
        if let channel = text("channel") {
            if ComplaintVocabulary.channels.contains(channel) { filter.channel = channel } else { errors.append(.init(field: "channel", message: "is not a known channel")) }
        }
        var rules = FieldRules()
        filter.receivedFrom = rules.anyDateTime(text("receivedFrom"), "receivedFrom")
        filter.receivedBefore = rules.anyDateTime(text("receivedBefore"), "receivedBefore")
        errors += rules.errors
        if let sort = text("sort") {
            if let value = ComplaintSort(rawValue: sort) { filter.sort = value } else { errors.append(.init(field: "sort", message: "must be received or due")) }
        }
        for flag in ["assignedToMe", "myDepartments", "overdue", "escalated"] {
            guard let value = text(flag) else { continue }
            guard value == "true" || value == "false" else { errors.append(.init(field: flag, message: "must be true or false")); continue }
            switch flag {
            case "assignedToMe": filter.assignedToMe = value == "true"
            case "myDepartments": filter.myDepartments = value == "true"
            case "escalated": filter.escalated = value == "true"
            default: filter.overdue = value == "true"
            }
        }
        if text("phone") != nil {
            // Phone numbers would land in access logs; they travel in a POST body instead.
            errors.append(.init(field: "phone", message: "is not accepted in the URL; send it in the body of a POST to the search endpoint"))
        }
        if let search = text("q") {
            if (1...200).contains(search.count) && !search.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                filter.search = search
            } else {
                errors.append(.init(field: "q", message: "must be 1 to 200 characters without control characters"))
            }
        }
        if !errors.isEmpty { throw Problem.invalidRequest(errors) }
        return filter
    }

    /// The list filter of the query string plus `phone` (from the request's body, held to the
    /// contract), for callers who see phone numbers in full; each caller has `limiter`'s lookups
    /// per minute.
    static func phoneFilter(_ request: Request, phone: String, _ caller: Caller, limiter: RateLimiter) throws -> ComplaintFilter {
        guard PersonalDataMask.seesInFull(caller.roles) else { throw Problem.needsPersonalDataInFull(to: "Looking complaints up by phone number") }
        var filter = try Self.filter(request)
        // A lookup refused for its query costs none of the caller's lookups.
        if let wait = limiter.admit("user:\(caller.userID)") { throw Problem.rateLimited(retryAfter: wait) }
        filter.phone = phone
        return filter
    }
}
