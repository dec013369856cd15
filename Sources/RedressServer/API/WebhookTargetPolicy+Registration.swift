import Foundation
import RedressCore

extension WebhookTargetPolicy {
    /// Why `url` may not be registered as a webhook, or nil when it may: it must be an absolute
    /// https URL with a host, no credentials and no fragment, whose host is not a reserved address
    /// (`http` and reserved addresses only when the operator allow-lists the host). Names are
    /// resolved and checked again at each delivery.
    func refusal(registering url: String) -> String? {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parts.host, !host.isEmpty, parts.user == nil, parts.password == nil, parts.fragment == nil,
              !url.contains(where: \.isWhitespace)
        else {
            return "must be an absolute http or https URL with a host, without credentials or fragment"
        }
        guard permits(scheme: scheme, host: host) else { return "must use https" }
        let name = host.lowercased()
        let reserved = IPAddress(host).map(Self.isReserved) ?? (name == "localhost" || name.hasSuffix(".localhost"))
        if reserved && !isAllowListed(host: host) {
            return "must not point at a loopback, private, link-local or otherwise reserved address"
        }
        return nil
    }

    /// Refuses (422, naming `/url`) a URL that may not be registered.
    func checkRegistering(_ url: String?) throws {
        guard let url, let refusal = refusal(registering: url) else { return }
        throw Problem.validationFailed([.init(field: "/url", message: refusal)])
    }
}
