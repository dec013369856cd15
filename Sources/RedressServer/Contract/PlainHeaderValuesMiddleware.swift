import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Sends the response header values of generated operations as their handlers set them.
/// swift-openapi-runtime writes every header it serialises as a percent-encoded URI component, so a
/// `Location` of `/v1/users/…` would leave as `%2Fv1%2Fusers%2F…` (apple/swift-openapi-generator#857);
/// undoing that once gives back exactly the value the handler returned.
struct PlainHeaderValuesMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var (response, responseBody) = try await next(request, body, metadata)
        response.headerFields = HTTPFields(response.headerFields.map { field in
            guard field.value.contains("%"), let value = field.value.removingPercentEncoding else { return field }
            return HTTPField(name: field.name, value: value)
        })
        return (response, responseBody)
    }
}
