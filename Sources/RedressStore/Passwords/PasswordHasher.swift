internal import CBcrypt
import NIOPosix

/// bcrypt in Swift, on NIO's thread pool so that its deliberate slowness never holds one of
/// Swift's cooperative threads. Passwords are hashed here and only hashes go to the database.
public enum PasswordHasher {
    /// A new hash of `password` at `cost` with a fresh random salt, for storing.
    public static func hash(_ password: String, cost: Int) async throws -> String {
        try await hash(password, setting: .random(cost: cost))
    }

    /// The hash of `password` with `setting` (cost and salt): equal to a stored hash with that
    /// setting exactly when the password is the one it was made from.
    public static func hash(_ password: String, setting: BcryptSetting) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { hashNow(password, setting: setting) }
    }

    /// The hash, computed on the calling thread. bcrypt reads at most 72 bytes of a password;
    /// the key is cut there before it reaches C, whose `$2a$` key length wraps past 255 bytes.
    /// A NUL ends the password, as it does in C (the API refuses passwords containing one).
    static func hashNow(_ password: String, setting: BcryptSetting) -> String {
        let key = Array(password.utf8.prefix(72).prefix { $0 != 0 }).map { CChar(bitPattern: $0) } + [0]
        var output = [CChar](repeating: 0, count: Int(BCRYPT_HASHSPACE) + 1)
        let status = c_hb_bcrypt_hashpass(key, setting.text, &output, Int(BCRYPT_HASHSPACE))
        precondition(status == 0, "a validated bcrypt setting is always accepted")
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
