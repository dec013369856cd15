import Foundation

/// The languages complainants are written to in: Simplified Chinese, Traditional Chinese and
/// English.
public enum ComplainantLanguage: String, Sendable, CaseIterable, Codable {
    case simplifiedChinese = "zh-Hans"
    case traditionalChinese = "zh-Hant"
    case english = "en"

    /// The first language of an `Accept-Language` header that Redress writes in, by the header's
    /// weights: `zh-CN`, `zh-SG` and `zh` read as Simplified Chinese, `zh-TW`, `zh-HK` and `zh-MO`
    /// as Traditional Chinese; nil when none is.
    public static func preferred(byAcceptLanguage header: String) -> ComplainantLanguage? {
        let ranges = header.split(separator: ",").prefix(20).enumerated().compactMap { index, part -> (String, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, !tag.isEmpty else { return nil }
            var weight = 1.0
            for parameter in pieces.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                weight = Double(parameter.dropFirst(2)) ?? 0
            }
            return (tag.lowercased(), weight, index)
        }
        for (tag, weight, _) in ranges.sorted(by: { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }) where weight > 0 {
            if let language = language(ofTag: tag) { return language }
        }
        return nil
    }

    private static func language(ofTag tag: String) -> ComplainantLanguage? {
        let parts = tag.split(separator: "-")
        guard let primary = parts.first else { return nil }
        switch primary {
        case "en": return .english
        case "zh":
            let rest = Set(parts.dropFirst())
            if rest.contains("hant") || !rest.isDisjoint(with: ["tw", "hk", "mo"]) { return .traditionalChinese }
            return .simplifiedChinese
        default: return nil
        }
    }
}
