import Foundation
import Hummingbird
import HTTPTypes
import RedressStore

/// A notification gateway on loopback, as an SMS or email provider's bridge would run it: it checks
/// every signature, and counts each delivery id it receives and how often.
final class GatewayReceiver: @unchecked Sendable {
    private let lock = NSLock()
    private var secret = ""
    private var seen: [String: Int] = [:]
    private var refused = 0
    private var mismatched = 0

    /// Sets the gateway's signing secret.
    func use(secret: String) { lock.withLock { self.secret = secret } }

    /// Delivery ids received (each once), all receipts, refused signatures, and bodies whose
    /// message id is not the delivery id.
    var figures: (distinct: Int, total: Int, refused: Int, mismatched: Int) {
        lock.withLock { (seen.count, seen.values.reduce(0, +), refused, mismatched) }
    }

    /// How many of `ids` arrived at least once.
    func received(of ids: Set<String>) -> Int { lock.withLock { ids.filter { seen[$0] != nil }.count } }

    private func record(_ body: Data, timestamp: String?, signature: String?, delivery: String, messageID: String?) -> Response {
        lock.withLock {
            guard WebhookSignature.verify(body: body, timestamp: timestamp, signature: signature, secret: secret) else {
                refused += 1
                return Response(status: .unauthorized)
            }
            if messageID != delivery { mismatched += 1 }
            seen[delivery, default: 0] += 1
            return Response(status: .ok)
        }
    }

    /// Serves on a free loopback port while `body` runs with the delivery URL.
    func serve(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("gateway") { request, _ -> Response in
            let data = Data(buffer: try await request.body.collect(upTo: 1 << 20))
            let timestamp = request.headers[HTTPField.Name(WebhookSignature.timestampHeader)!]
            let signature = request.headers[HTTPField.Name(WebhookSignature.signatureHeader)!]
            let delivery = request.headers[HTTPField.Name(WebhookSignature.deliveryHeader)!] ?? ""
            let message = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["message"] as? [String: Any]
            return self.record(data, timestamp: timestamp, signature: signature, delivery: delivery,
                               messageID: message?["id"] as? String)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let server = Task { try await app.runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw BenchError("the gateway did not start") }
        do {
            try await body("http://127.0.0.1:\(port)/gateway")
        } catch {
            server.cancel()
            throw error
        }
        server.cancel()
    }
}
