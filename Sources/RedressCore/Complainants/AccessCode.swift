import Foundation

/// The code a complainant uses to look their complaint up without signing in: twelve characters
/// from an alphabet without look-alikes (no I, O, 0 or 1), shown in groups of four
/// (`K7QD-M2XP-9HTA`), about 60 bits of chance. It is read case-insensitively, with or without the
/// hyphens and spaces people add when they copy it.
public struct AccessCode: Sendable, Equatable, CustomStringConvertible {
    /// The characters a code is made of.
    public static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    /// How many characters a code has, not counting the hyphens.
    public static let length = 12

    /// The twelve characters, upper case, without hyphens.
    public let characters: String

    /// A new random code.
    public static func generate() -> AccessCode {
        var generator = SystemRandomNumberGenerator()
        return AccessCode(characters: String((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
    }

    private init(characters: String) {
        self.characters = characters
    }

    /// The code in `text`, or nil when it is not one: hyphens and spaces are dropped and letters
    /// read in upper case before the twelve characters are checked against the alphabet.
    public init?(reading text: String) {
        guard text.utf8.count <= 40 else { return nil }
        let kept = text.uppercased().filter { $0 != "-" && $0 != " " }
        guard kept.count == Self.length, kept.allSatisfy(Self.alphabet.contains) else { return nil }
        characters = kept
    }

    /// `K7QD-M2XP-9HTA`.
    public var description: String {
        let chunks = stride(from: 0, to: Self.length, by: 4).map { start -> Substring in
            let from = characters.index(characters.startIndex, offsetBy: start)
            return characters[from..<characters.index(from, offsetBy: 4)]
        }
        return chunks.joined(separator: "-")
    }
}

/// A case number as complainants type it: the branch's code, the day it was received and a
/// serial (`NORTH-20261123-000042`), read in upper case with surrounding spaces dropped.
public enum CaseNumber {
    /// The case number in `text`, or nil when it cannot be one.
    public static func reading(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard trimmed.utf8.count <= 60, trimmed.wholeMatch(of: /[A-Z0-9][A-Z0-9-]{1,31}-[0-9]{8}-[0-9]{6,12}/) != nil else {
            return nil
        }
        return trimmed
    }
}
