#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address as its network-order bytes: 4 for IPv4, 16 for IPv6.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address's bytes, most significant first.
    public let bytes: [UInt8]

    /// Parses dotted IPv4 or IPv6 text; square brackets and an IPv6 zone (`%eth0`) are ignored.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        var v4 = in_addr()
        if inet_pton(AF_INET, String(text), &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(text), &v6) == 1 else { return nil }
        bytes = withUnsafeBytes(of: &v6) { Array($0) }
    }

    /// An address from its bytes (4 or 16 of them).
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// True for IPv4.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The address as text (`10.0.0.1`, `2001:db8::1`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        var copy = bytes
        let family = isIPv4 ? AF_INET : AF_INET6
        guard inet_ntop(family, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: text, as: UTF8.self)
    }

    /// The IPv6 /64 network of an IPv6 address (what one client usually holds), or the address
    /// itself for IPv4: the key per-client limits count by.
    public var clientKey: String {
        guard !isIPv4 else { return description }
        return (IPAddress(bytes: Array(bytes.prefix(8)) + [UInt8](repeating: 0, count: 8))?.description ?? description) + "/64"
    }
}
