/// The first 29 characters of a bcrypt hash: `$2a$`, the two-digit cost and 22 characters of salt.
/// It decides how a password is hashed and is not secret; the database hands it out for sign-in.
public struct BcryptSetting: Sendable, Hashable, CustomStringConvertible {
    /// The setting as bcrypt writes it, e.g. `$2a$12$` followed by the salt.
    public let text: String
    /// The cost factor (log2 of rounds), 4…31.
    public let cost: Int

    /// bcrypt's base64 alphabet.
    static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    /// The last salt character carries 2 bits of the 16 salt bytes and 4 zero bits.
    static let lastSaltCharacters: Set<UInt8> = [alphabet[0], alphabet[16], alphabet[32], alphabet[48]]

    /// Reads a setting, or the setting at the start of a full hash; nil unless it is a `$2a$` or
    /// `$2b$` setting with a cost of 4…31 and a well-formed salt.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8.prefix(29))
        guard bytes.count == 29, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
              bytes[2] == UInt8(ascii: "a") || bytes[2] == UInt8(ascii: "b"), bytes[3] == UInt8(ascii: "$"),
              bytes[6] == UInt8(ascii: "$"),
              let cost = Int(String(decoding: bytes[4...5], as: UTF8.self)), (4...31).contains(cost),
              bytes[7..<28].allSatisfy(Self.alphabet.contains), Self.lastSaltCharacters.contains(bytes[28])
        else { return nil }
        self.text = String(decoding: bytes, as: UTF8.self)
        self.cost = cost
    }

    /// A fresh setting of `cost` with 16 random salt bytes.
    public static func random(cost: Int) -> BcryptSetting {
        precondition((4...31).contains(cost), "bcrypt cost must be 4…31")
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let prefix = "$2a$" + (cost < 10 ? "0" : "") + String(cost) + "$"
        return BcryptSetting(prefix + encode(salt))!
    }

    /// `bytes` in bcrypt's base64 (the standard bit order with bcrypt's alphabet, no padding).
    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for position in 0...chunk.count {
                output.append(alphabet[Int(value >> (18 - 6 * position) & 63)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    public var description: String { text }
}
