import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import RedressStore

/// A real HTTP server on loopback that receives webhook deliveries the way a customer's bot
/// would: it checks the signature with the webhook's secret (401 when it does not hold) and
/// answers each valid delivery with the status `answer` chooses for the n-th request.
public final class WebhookReceiver: Sendable {
    /// One request as it arrived.
    public struct Received: Sendable {
        public var deliveryID: String?
        public var timestamp: String?
        public var signature: String?
        public var body: Data
        public var signatureValid: Bool
        public var at: Date
    }

    /// The secret signatures are checked with.
    public let secret = NIOLockedValueBox("")
    /// Every request, in arrival order.
    public let received = NIOLockedValueBox<[Received]>([])
    let answer: @Sendable (Int) -> HTTPResponse.Status

    /// Creates a receiver that answers the n-th valid delivery with `answer(n)`.
    public init(answer: @escaping @Sendable (Int) -> HTTPResponse.Status = { _ in .ok }) {
        self.answer = answer
    }

    /// Serves on a free port for the duration of `body`, which gets the delivery URL.
    public func serve(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let data = Data(buffer: try await request.body.collect(upTo: 1 << 20))
            let timestamp = request.headers[HTTPField.Name(WebhookSignature.timestampHeader)!]
            let signature = request.headers[HTTPField.Name(WebhookSignature.signatureHeader)!]
            let valid = WebhookSignature.verify(body: data, timestamp: timestamp, signature: signature,
                                                secret: self.secret.withLockedValue { $0 })
            let count = self.received.withLockedValue { list in
                list.append(Received(deliveryID: request.headers[HTTPField.Name(WebhookSignature.deliveryHeader)!], timestamp: timestamp,
                                     signature: signature, body: data, signatureValid: valid, at: Date()))
                return list.filter(\.signatureValid).count
            }
            return Response(status: valid ? self.answer(count) : .unauthorized)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/hook")
        }
    }

    /// How many deliveries arrived correctly signed.
    public var validCount: Int { received.withLockedValue { $0.filter(\.signatureValid).count } }
}
