import Foundation
import RedressCore
#if canImport(Glibc)
import Glibc
#endif

/// Where one delivery connects: the URL's host resolved once, checked against the
/// ``WebhookTargetPolicy``, and pinned, so the connection goes to the address that was checked
/// (a second lookup by the HTTP client could answer differently).
struct WebhookTarget: Sendable, Equatable {
    /// The host name as the URL writes it (for `Host` and TLS SNI).
    var host: String
    /// The checked address to connect to.
    var address: IPAddress

    /// Resolves `url`'s host and checks every address it has; throws a ``WebhookFailure``.
    static func resolve(_ url: String, policy: WebhookTargetPolicy) async throws -> WebhookTarget {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme, let host = parts.host, !host.isEmpty else {
            throw WebhookFailure.blockedAddress
        }
        guard policy.permits(scheme: scheme, host: host) else { throw WebhookFailure.blockedAddress }
        let addresses: [IPAddress]
        if let literal = IPAddress(host) {
            addresses = [literal]
        } else {
            addresses = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try lookUp(host) }) }
            }
        }
        // Every address must pass, so a name cannot mix a public address with an internal one.
        guard let first = addresses.first else { throw WebhookFailure.dns }
        guard addresses.allSatisfy({ policy.permits($0, host: host) }) else { throw WebhookFailure.blockedAddress }
        return WebhookTarget(host: host, address: first)
    }

    /// The addresses `host` resolves to (blocking; run off the cooperative pool).
    static func lookUp(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let list else { throw WebhookFailure.dns }
        defer { freeaddrinfo(list) }
        var found: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let entry = cursor {
            if let socket = entry.pointee.ai_addr {
                switch Int32(socket.pointee.sa_family) {
                case AF_INET:
                    var value = socket.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if let address = IPAddress(bytes: withUnsafeBytes(of: &value) { Array($0) }) { found.append(address) }
                case AF_INET6:
                    var value = socket.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if let address = IPAddress(bytes: withUnsafeBytes(of: &value) { Array($0) }) { found.append(address) }
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        var unique: [IPAddress] = []
        for address in found where !unique.contains(address) { unique.append(address) }
        return unique
    }
}
