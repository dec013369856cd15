/// Why the console refused a request outright, and how it words the API's refusals.
enum ConsoleRefusal: Error {
    /// A form without the session's CSRF token.
    case csrf

    /// A refusal without field errors as one line in `language`: its title and what happened.
    static func text(_ problem: Problem, language: String) -> String {
        ProblemLanguage.translated(problem, into: language).title + (problem.detail.map { " — \($0)" } ?? "")
    }
}
