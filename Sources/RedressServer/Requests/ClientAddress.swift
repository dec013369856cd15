import Foundation
import HTTPTypes
import Hummingbird
import RedressCore

/// Who the client is, for per-client limits: the socket's peer, or, when that peer is one of the
/// configured trusted proxies, the right-most address in `X-Forwarded-For` that is not itself a
/// trusted proxy (hops to its left could be written by the client). IPv6 clients count by their
/// /64, since one holds a whole /64 and may rotate addresses within it.
struct ClientAddress: Sendable {
    /// The proxies whose `X-Forwarded-For` is believed. Default none: the header is ignored.
    let trustedProxies: [IPNetwork]

    /// The key per-client limits count by (`203.0.113.7`, `2001:db8:1:2::/64`, or `unknown`).
    func key(_ request: Request, _ context: RedressRequestContext) -> String {
        let forwarded = request.headers[values: HTTPField.Name("X-Forwarded-For")!]
        return Self.resolve(socket: context.clientAddress, forwardedFor: forwarded, trusted: trustedProxies)?.clientKey ?? "unknown"
    }

    /// The client behind `socket`, given the `X-Forwarded-For` header values in order.
    static func resolve(socket: String?, forwardedFor: [String], trusted: [IPNetwork]) -> IPAddress? {
        guard let socket, var client = IPAddress(socket) else { return nil }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard trusted.contains(where: { $0.contains(client) }) else { break }
            guard let address = IPAddress(hop) else { break }
            client = address
        }
        return client
    }
}
