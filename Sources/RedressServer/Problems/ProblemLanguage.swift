import Foundation

/// Puts a problem's title and field messages in the reader's language, from the console's
/// ``MessageCatalogue``: titles by the problem's kind (`problem_title_validation-failed`), field
/// messages by their English form (`must be at most {1} characters`). What the catalogue does not
/// know stays in English.
enum ProblemLanguage {
    /// The English field messages the catalogue translates: a pattern and its catalogue key, each
    /// captured group filling `{1}`, `{2}`… of the translation.
    static let patterns: [(NSRegularExpression, String)] = [
        ("^is required$", "problem_required"),
        ("^must not be empty$", "problem_not_empty"),
        ("^must be at most (\\d+) characters$", "problem_at_most_characters"),
        ("^must be at least (\\d+) characters$", "problem_at_least_characters"),
        ("^must be one of: (.*)$", "problem_one_of"),
        ("^must be a UUID$", "problem_uuid"),
        ("^must be an RFC 3339 date-time.*$", "problem_date_time"),
        ("^must be a date .*$", "problem_date"),
        ("^is not a known field$", "problem_unknown_field"),
        ("^must match (.*)$", "problem_pattern"),
        ("^must be at most (.+)$", "problem_at_most"),
        ("^must be at least (.+)$", "problem_at_least"),
        ("^is not a date and time$", "problem_date_time"),
        ("^must be 1, 2 or 3$", "problem_level"),
        ("^must be a whole number$", "problem_whole_number"),
        ("^is required for this step$", "problem_required_for_step"),
        ("^must be a phone number.*$", "problem_phone"),
        ("^must be an email address$", "problem_email"),
        ("^must not be in the future$", "problem_future"),
        ("^must be (\\d+) to (\\d+) characters$", "problem_characters_between"),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    /// `message` in `language`.
    static func message(_ message: String, in language: String) -> String {
        guard language != "en" else { return message }
        let range = NSRange(message.startIndex..., in: message)
        for (pattern, key) in patterns {
            guard let match = pattern.firstMatch(in: message, range: range) else { continue }
            var text = MessageCatalogue.shared.text(key, in: language)
            guard text != key else { return message }
            for group in stride(from: 1, to: match.numberOfRanges, by: 1) {
                if let captured = Range(match.range(at: group), in: message) {
                    text = text.replacingOccurrences(of: "{\(group)}", with: String(message[captured]))
                }
            }
            return text
        }
        return message
    }

    /// `problem` with its title and field messages in `language`.
    static func translated(_ problem: Problem, into language: String) -> Problem {
        guard language != "en" else { return problem }
        var problem = problem
        let kind = problem.type.split(separator: "/").last.map(String.init) ?? ""
        let title = MessageCatalogue.shared.text("problem_title_\(kind)", in: language)
        if title != "problem_title_\(kind)" { problem.title = title }
        problem.errors = problem.errors?.map { .init(field: $0.field, message: message($0.message, in: language)) }
        return problem
    }
}
