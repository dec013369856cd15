import Crypto
import Foundation

/// A secret (session token, bot API key or webhook signing secret): 256 random bits, shown to its holder once and
/// stored only as its SHA-256.
///
/// Session tokens and keys carry the id of their branch after the secret, `rds_<secret>.<branch>`,
/// so that finding one reads a single branch (one shard on Citus, docs/scaling.md). The branch is
/// a routing hint, not part of what is hashed: the hash is of the token without it, so a token
/// whose branch was changed finds nothing, and tokens issued without a branch (`rds_<secret>`)
/// keep working. A token still begins with its kind and the start of its secret, as listings show.
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

    /// The secret as the holder sends it.
    public var token: String {
        guard let branchID else { return secret }
        return secret + "." + Self.encode(branchID)
    }

    /// The branch the credential belongs to, when the token carries it.
    public let branchID: UUID?

    /// The kind's prefix and 43 base64url characters: the token without its branch.
    let secret: String

    /// A fresh random secret of `kind`, carrying `branch` when given.
    public init(kind: Kind, branch: UUID? = nil) {
        let key = SymmetricKey(size: .bits256)
        secret = kind.rawValue + key.withUnsafeBytes { Data($0) }.base64URLEncoded
        branchID = branch
    }

    private init(secret: String, branchID: UUID?) {
        self.secret = secret
        self.branchID = branchID
    }

    /// Wraps a token a client sent; nil unless it has the shape of one of ours.
    public init?(presented token: String) {
        guard Kind(rawValue: String(token.prefix(4))) != nil else { return nil }
        let parts = token.dropFirst(4).split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let random = parts[0]
        guard random.utf8.count == 43, random.utf8.allSatisfy(Self.isBase64URL) else { return nil }
        var branch: UUID?
        if parts.count == 2 {
            guard let decoded = Self.decode(parts[1]) else { return nil }
            branch = decoded
        }
        self.init(secret: String(token.prefix(4)) + random, branchID: branch)
    }

    /// The same secret, carrying `branch`: what sign-in hands out once it knows the branch.
    public func carrying(branch: UUID) -> CredentialSecret { CredentialSecret(secret: secret, branchID: branch) }

    /// The SHA-256 of the token without its branch: what the database stores and looks up.
    public var hash: Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    /// The first characters of the token, safe to show in listings to tell keys apart.
    public var displayPrefix: String { String(secret.prefix(12)) }

    /// Whether `byte` is one of base64url's characters (letters, digits, `-` and `_`): checked for
    /// every character of every token a request presents.
    static func isBase64URL(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x5F
    }

    /// A branch id as 22 base64url characters.
    static func encode(_ id: UUID) -> String {
        withUnsafeBytes(of: id.uuid) { Data($0) }.base64URLEncoded
    }

    static func decode(_ text: Substring) -> UUID? {
        guard text.utf8.count == 22, text.utf8.allSatisfy(isBase64URL) else { return nil }
        // Standard base64 with its padding: `-` and `_` stand for `+` and `/`.
        let standard = text.utf8.map { $0 == 0x2D ? 0x2B : $0 == 0x5F ? 0x2F : $0 } + [0x3D, 0x3D]
        guard let data = Data(base64Encoded: Data(standard)), data.count == 16 else { return nil }
        return data.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5).
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
