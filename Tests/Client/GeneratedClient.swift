import Foundation
import HTTPTypes
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import RedressAPI

extension Client {
    /// A client generated from openapi.yaml for the server on loopback `port`, sending `token`
    /// (a session token or API key) as its bearer credential.
    public static func redress(port: Int, token: String?) throws -> Client {
        guard let url = URL(string: "http://127.0.0.1:\(port)") else { throw URLError(.badURL) }
        return Client(serverURL: url, configuration: .redress, transport: AsyncHTTPClientTransport(),
                      middlewares: token.map { [BearerCredential(token: $0)] } ?? [])
    }
}

/// Adds `Authorization: Bearer <token>` to every request.
struct BearerCredential: ClientMiddleware {
    let token: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}
