/// Words that the contract spells as enums and the domain or the database spells as its own enums
/// or text: both list the same words (the tables' CHECK constraints hold them to it), so a word
/// one side does not know is a fault of the server (500), never of the request.
enum WireWord {
    /// A word the contract does not know, or the domain does not know.
    struct Unknown: Error, CustomStringConvertible {
        let word: String
        let type: String
        var description: String { "\(word) is not a \(type)" }
    }

    /// `text` as the enum `Word`.
    static func read<Word: RawRepresentable>(_ text: String, as _: Word.Type = Word.self) throws -> Word where Word.RawValue == String {
        guard let word = Word(rawValue: text) else { throw Unknown(word: text, type: String(describing: Word.self)) }
        return word
    }

    /// `value` as the enum of the same words on the other side.
    static func convert<From: RawRepresentable, Word: RawRepresentable>(_ value: From) throws -> Word
    where From.RawValue == String, Word.RawValue == String {
        try read(value.rawValue)
    }
}
