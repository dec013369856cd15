import Foundation
import Hummingbird

extension ContractDocument {
    /// Holds a hand-routed request to what openapi.yaml says of `operation` (``operation(id:)``), as
    /// ``ContractMiddleware`` holds the generated ones: its parameters, and its JSON body when the
    /// operation takes one (415, 413, 400 or 422 as there). Returns the body, nil without one.
    func check(_ operation: Operation, _ request: Request, pathParameters: [String: String] = [:]) async throws -> JSONValue? {
        try checkParameters(of: operation, in: request.head, pathParameters: pathParameters)
        guard let schema = operation.body else { return nil }
        try Self.checkMediaType(request.head)
        var request = request
        let buffer = try await request.collectBody(upTo: operation.maximumBodyBytes)
        if buffer.readableBytes == 0 && !operation.bodyRequired { return nil }
        return try checkBody(Data(buffer.readableBytesView), against: schema)
    }
}
