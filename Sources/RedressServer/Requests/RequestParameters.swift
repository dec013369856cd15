import Foundation
import Hummingbird
import RedressStore

/// Reads path and query parameters, turning bad values into 400 problems that name them.
enum RequestParameters {
    /// The `{id}` path parameter as a UUID.
    static func id(_ context: some RequestContext, _ name: String = "id") throws -> UUID {
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
}
