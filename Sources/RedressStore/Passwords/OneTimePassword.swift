/// Passwords an operator hands over once, to be replaced at the first sign-in.
public enum OneTimePassword {
    /// Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
    static let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    /// A fresh password of `length` characters from the system's secure random source (about 5.8
    /// bits each: 20 characters carry 116 bits).
    public static func generate(length: Int = 20) -> String {
        var random = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(random.next(upperBound: UInt32(alphabet.count)))] })
    }
}
