import Crypto
import Foundation
import RedressCore

/// The keys that protect customer personal data: AES-256 keys by key id (new data is sealed with
/// `currentKeyID`; older ids stay to open what they sealed until it is re-sealed), and the key of
/// the blind index that finds complaints by phone number without storing it.
public struct PersonalDataKeys: Sendable {
    public let currentKeyID: String
    /// Raw key bytes by key id (SymmetricKey is not Sendable; keys are made from these on use).
    let keyBytes: [String: Data]
    let indexKeyBytes: Data

    /// The key `keyID` names, if the ring has it.
    func key(_ keyID: String) -> SymmetricKey? { keyBytes[keyID].map { SymmetricKey(data: $0) } }
    /// The blind index's key.
    var indexKey: SymmetricKey { SymmetricKey(data: indexKeyBytes) }
    /// Every key id in the ring.
    public var keyIDs: [String] { keyBytes.keys.sorted() }

    /// The digest an access code is stored as: HMAC-SHA256 under the blind-index key, so the
    /// database alone cannot tell which code opens a case.
    public func accessCodeDigest(_ code: AccessCode) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data("redress.access-code.v1|\(code.characters)".utf8), using: indexKey))
    }

    /// A problem with configured keys, naming the setting.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates a key ring from raw keys (32 bytes each).
    public init(currentKeyID: String, keys: [String: SymmetricKey], indexKey: SymmetricKey) throws {
        guard let current = keys[currentKeyID] else { throw Problem(description: "no key with the current id \(currentKeyID)") }
        guard current.bitCount == 256, keys.values.allSatisfy({ $0.bitCount == 256 }), indexKey.bitCount == 256 else {
            throw Problem(description: "every personal-data key must be 32 bytes")
        }
        guard keys.keys.allSatisfy(Self.isKeyID) else { throw Problem(description: "key ids are 1 to 32 letters, digits, - or _") }
        self.currentKeyID = currentKeyID
        keyBytes = keys.mapValues { key in key.withUnsafeBytes { Data($0) } }
        indexKeyBytes = indexKey.withUnsafeBytes { Data($0) }
    }

    /// Parses `PII_KEYS` (`id:base64,id:base64`, 32-byte keys), `PII_KEY_ID` (default: the last
    /// listed) and `PII_INDEX_KEY` (base64, 32 bytes).
    public init(keys text: String, currentKeyID: String?, indexKey: String) throws {
        var keys: [String: SymmetricKey] = [:]
        var last: String?
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let data = Data(base64Encoded: parts[1]), data.count == 32 else {
                throw Problem(description: "PII_KEYS entries are id:base64 of 32 random bytes")
            }
            keys[parts[0]] = SymmetricKey(data: data)
            last = parts[0]
        }
        guard let current = currentKeyID ?? last else { throw Problem(description: "PII_KEYS names no key") }
        guard let index = Data(base64Encoded: indexKey), index.count == 32 else {
            throw Problem(description: "PII_INDEX_KEY is base64 of 32 random bytes")
        }
        try self.init(currentKeyID: current, keys: keys, indexKey: SymmetricKey(data: index))
    }

    /// Fresh random keys (tests, and a new local development cluster).
    public static func generate(keyID: String = "k1") -> PersonalDataKeys {
        // Valid by construction.
        try! PersonalDataKeys(currentKeyID: keyID, keys: [keyID: SymmetricKey(size: .bits256)], indexKey: SymmetricKey(size: .bits256))
    }

    /// The same ring with another key added and made current (rotation).
    public func rotating(to keyID: String, key: SymmetricKey = SymmetricKey(size: .bits256)) throws -> PersonalDataKeys {
        try PersonalDataKeys(currentKeyID: keyID, keys: keyBytes.mapValues { SymmetricKey(data: $0) }.merging([keyID: key]) { $1 },
                             indexKey: indexKey)
    }

    /// The same ring without `keyID` (after everything it sealed was re-sealed).
    public func removing(_ keyID: String) throws -> PersonalDataKeys {
        try PersonalDataKeys(currentKeyID: currentKeyID, keys: keyBytes.filter { $0.key != keyID }.mapValues { SymmetricKey(data: $0) },
                             indexKey: indexKey)
    }

    /// This ring as the settings `PII_KEYS`, `PII_KEY_ID` and `PII_INDEX_KEY`.
    public var settings: [String: String] {
        ["PII_KEYS": keyIDs.map { "\($0):\(keyBytes[$0]!.base64EncodedString())" }.joined(separator: ","),
         "PII_KEY_ID": currentKeyID, "PII_INDEX_KEY": indexKeyBytes.base64EncodedString()]
    }

    /// The settings as `NAME=value` lines, for an environment file.
    public var settingsText: String {
        ["PII_KEYS", "PII_KEY_ID", "PII_INDEX_KEY"].map { "\($0)=\(settings[$0]!)\n" }.joined()
    }

    static func isKeyID(_ id: String) -> Bool {
        (1...32).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
