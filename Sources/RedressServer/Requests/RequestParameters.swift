import Foundation
import Hummingbird
import RedressStore

/// Reads path and query parameters, turning bad values into 400 problems that name them.
enum RequestParameters {
    /// The `{id}` path parameter as a UUID.
    static func id(_ context: RedressRequestContext, _ name: String = "id") throws -> UUID {
        guard let text = context.parameters.get(name), let id = UUID(uuidString: text) else {
            throw Problem.invalidRequest([.init(field: name, message: "must be a UUID")])
        }
        return id
    }

    /// An optional UUID query parameter.
    static func optionalID(_ request: Request, _ name: String) throws -> UUID? {
        guard let text = request.uri.queryParameters[Substring(name)] else { return nil }
        guard let id = UUID(uuidString: String(text)) else {
            throw Problem.invalidRequest([.init(field: name, message: "must be a UUID")])
        }
        return id
    }

    /// `limit`: 1…200, `default` when absent.
    static func limit(_ request: Request, default fallback: Int = 50) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return fallback }
        guard let limit = Int(text), (1...200).contains(limit) else {
            throw Problem.invalidRequest([.init(field: "limit", message: "must be a whole number from 1 to 200")])
        }
        return limit
    }

    /// `limit` (1…200, default 50) and `cursor` (from a previous page's `nextCursor`).
    static func page(_ request: Request) throws -> PageRequest {
        var page = PageRequest()
        let query = request.uri.queryParameters
        page.limit = try limit(request, default: page.limit)
        if let text = query["cursor"] {
            guard let cursor = PageCursor(encoded: String(text)) else {
                throw Problem.invalidRequest([.init(field: "cursor", message: "is not a cursor this API issued")])
            }
            page.after = cursor
        }
        return page
    }
}
