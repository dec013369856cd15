import Foundation

/// Which addresses webhook deliveries may reach. Outside the operator's allow-list, a target
/// must use `https` and resolve only to public unicast addresses: loopback, private, link-local,
/// CGNAT, multicast, unspecified, documentation and benchmark ranges, IPv6 unique-local and
/// site-local, and the IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4,
/// Teredo) are refused, and with them the cloud metadata addresses (`169.254.169.254`,
/// `fd00:ec2::254`, `100.100.100.200`). The allow-list names hosts (any address they resolve to
/// is accepted, over http or https) and CIDR blocks (addresses inside are accepted).
public struct WebhookTargetPolicy: Sendable, Equatable {
    /// Host names on the allow-list, lower-cased.
    public var allowedHosts: Set<String>
    /// Address blocks on the allow-list.
    public var allowedNetworks: [IPNetwork]

    /// A policy allowing `entries`: host names, addresses or CIDR blocks. Default: none.
    public init(allowing entries: [String] = []) {
        allowedHosts = []
        allowedNetworks = []
        for entry in entries.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !entry.isEmpty {
            if let network = IPNetwork(entry) { allowedNetworks.append(network) } else { allowedHosts.insert(entry) }
        }
    }

    /// Parses a comma-separated allow-list (`WEBHOOK_ALLOWED_HOSTS`); a failure names the first entry
    /// that is neither a host name nor an address block.
    public static func parse(_ text: String) -> Result<WebhookTargetPolicy, InvalidEntry> {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for entry in entries where IPNetwork(entry) == nil {
            let host = entry.lowercased()
            let valid = !host.isEmpty && host.count <= 253 && !host.contains("/")
                && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
            if !valid { return .failure(InvalidEntry(entry: entry)) }
        }
        return .success(WebhookTargetPolicy(allowing: entries))
    }

    /// An allow-list entry that is neither a host name nor an address block.
    public struct InvalidEntry: Error, Equatable {
        /// The entry as written.
        public var entry: String
        /// Names the entry.
        public init(entry: String) { self.entry = entry }
    }

    /// True when the operator allowed `host` by name, or it is an address inside an allowed block.
    public func isAllowListed(host: String) -> Bool {
        let host = host.lowercased()
        if allowedHosts.contains(host) { return true }
        guard let address = IPAddress(host) else { return false }
        return allowedNetworks.contains { $0.contains(address) }
    }

    /// True when a delivery to `host` may connect to `address`.
    public func permits(_ address: IPAddress, host: String) -> Bool {
        if allowedHosts.contains(host.lowercased()) { return true }
        if allowedNetworks.contains(where: { $0.contains(address) }) { return true }
        return !Self.isReserved(address)
    }

    /// True when `scheme` may be used for `host`: `https` always, `http` for allow-listed hosts only.
    public func permits(scheme: String, host: String) -> Bool {
        switch scheme.lowercased() {
        case "https": return true
        case "http": return isAllowListed(host: host)
        default: return false
        }
    }

    /// True for addresses that are not public unicast.
    public static func isReserved(_ address: IPAddress) -> Bool {
        (address.isIPv4 ? reservedV4 : reservedV6).contains { $0.contains(address) }
    }

    static let reservedV4: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4",
    ].compactMap(IPNetwork.init)

    static let reservedV6: [IPNetwork] = [
        "::/96", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].compactMap(IPNetwork.init)
}
