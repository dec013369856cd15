import Foundation
import Hummingbird
import RedressAPI

/// Encodes JSON responses with one encoder configuration for the whole API.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        let dates = MillisecondDateTranscoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try dates.encode(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func make(
        status: HTTPResponse.Status, body: some Encodable, contentType: String = "application/json"
    ) throws -> Response {
        let data = try encoder.encode(body)
        return Response(
            status: status,
            headers: [.contentType: contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
