import Crypto
import Foundation

/// A secret (session token, bot API key or webhook signing secret): 256 random bits, shown to its holder once and
/// stored only as its SHA-256.
public struct CredentialSecret: Sendable {
    /// The kind of secret, visible in its prefix so leaked tokens are easy to recognise.
    public enum Kind: String, Sendable {
        /// A session token from signing in.
        case session = "rds_"
        /// A bot API key.
        case apiKey = "rdk_"
        /// A webhook signing secret (kept by the service to sign, so not only as a hash).
        case webhookSecret = "whs_"
    }

    /// The secret as the holder sends it: prefix and 43 base64url characters.
    public let token: String

    /// A fresh random secret of `kind`.
    public init(kind: Kind) {
        let key = SymmetricKey(size: .bits256)
        token = kind.rawValue + key.withUnsafeBytes { Data($0) }.base64URLEncoded
    }

    /// Wraps a token a client sent; nil unless it has the shape of one of ours.
    public init?(presented token: String) {
        guard token.utf8.count == 47, Kind(rawValue: String(token.prefix(4))) != nil,
              token.utf8.dropFirst(4).allSatisfy({ Self.base64URLAlphabet.contains($0) })
        else { return nil }
        self.token = token
    }

    /// The SHA-256 of the token: what the database stores and looks up.
    public var hash: Data { Data(SHA256.hash(data: Data(token.utf8))) }

    /// The first characters, safe to show in listings to tell keys apart.
    public var displayPrefix: String { String(token.prefix(12)) }

    static let base64URLAlphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
}

extension Data {
    /// Base64url without padding (RFC 4648 §5).
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
