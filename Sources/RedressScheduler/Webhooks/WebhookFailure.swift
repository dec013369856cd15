import AsyncHTTPClient
import NIOCore

/// Why a delivery attempt failed, as the coarse class recorded for the branch's admins: never the
/// underlying error's text, which would tell a tenant about the operator's network.
enum WebhookFailure: String, Error, Sendable {
    /// The attempt took longer than allowed.
    case timeout
    /// The connection was refused, reset or could not be made.
    case refused
    /// The TLS handshake failed (certificate, protocol).
    case tls
    /// The target is not allowed: a reserved address outside the allow-list, or plain http.
    case blockedAddress = "blocked_address"
    /// The host name did not resolve.
    case dns

    /// The class of any error an attempt can throw.
    static func classify(_ error: any Error) -> String {
        if let failure = error as? WebhookFailure { return failure.rawValue }
        if let client = error as? HTTPClientError,
           [.connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded].contains(client) {
            return WebhookFailure.timeout.rawValue
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return WebhookFailure.timeout.rawValue }
        let text = String(reflecting: type(of: error)) + " " + String(describing: error)
        if text.contains("SSL") || text.contains("TLS") || text.contains("ertificate") { return WebhookFailure.tls.rawValue }
        if text.lowercased().contains("timeout") || text.lowercased().contains("timed out") { return WebhookFailure.timeout.rawValue }
        return WebhookFailure.refused.rawValue
    }

    /// The class recorded for an answer with a status outside 2xx.
    static func status(_ code: Int) -> String { "http \(code)" }
}
