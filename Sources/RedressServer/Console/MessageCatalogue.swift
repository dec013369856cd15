import Foundation
import RedressConsoleAssets

/// The console's words in each language it speaks (`catalogue/<language>.json` among the
/// console's assets), also used for the API's problem titles and field messages. A key missing
/// from a language falls back to English, then to the key itself.
struct MessageCatalogue: Sendable {
    /// The languages spoken, the first being the fallback.
    static let languages = ["en", "zh-Hans"]
    /// The catalogue embedded in the binary.
    static let shared = MessageCatalogue(tables: Dictionary(uniqueKeysWithValues: languages.map { language in
        let text = ConsoleAssets.text("catalogue/\(language).json") ?? "{}"
        let table = (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
        return (language, table)
    }))

    /// Each language's messages by key.
    let tables: [String: [String: String]]
    /// Each language's messages with English filling its gaps, made once.
    private let complete: [String: [String: String]]

    /// A catalogue of `tables`, English being the fallback.
    init(tables: [String: [String: String]]) {
        self.tables = tables
        let english = tables["en"] ?? [:]
        complete = tables.mapValues { english.merging($0) { _, chosen in chosen } }
    }

    /// The message `key` in `language`.
    func text(_ key: String, in language: String) -> String {
        tables[language]?[key] ?? tables["en"]?[key] ?? key
    }

    /// The message `key` in `language` with each `{name}` replaced by its value.
    func text(_ key: String, in language: String, _ values: [String: String]) -> String {
        values.reduce(text(key, in: language)) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    /// Every message of `language` (English where it has none), for templates.
    func table(for language: String) -> [String: String] {
        complete[language] ?? complete["en"] ?? [:]
    }

    /// The language to speak: `preference` (the person's choice) when spoken, else the first
    /// spoken language of `Accept-Language` by weight (any Chinese reads Simplified Chinese),
    /// else English.
    static func language(preference: String?, acceptLanguage: String?) -> String {
        if let preference, languages.contains(preference) { return preference }
        guard let acceptLanguage else { return "en" }
        let ranked = acceptLanguage.split(separator: ",").enumerated().compactMap { index, part -> (String, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            let weight = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, weight, index)
        }.filter { $0.1 > 0 }.sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }
        for (tag, _, _) in ranked {
            if tag == "zh" || tag.hasPrefix("zh-") { return "zh-Hans" }
            if tag == "en" || tag.hasPrefix("en-") { return "en" }
        }
        return "en"
    }
}
