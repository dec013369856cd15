import Foundation

/// Refuses to run with secrets copied unchanged from `deploy/redress.env.example`: its
/// personal-data keys are published with the source, so data sealed with them is sealed for
/// nobody, and `change-me` is the first password anyone tries.
enum PublishedSecretsCheck {
    /// The keys `deploy/redress.env.example` shows (`PII_KEYS`, `PII_INDEX_KEY`).
    static let publishedKeys: Set<String> = [
        "LgwhGRA7XMWaYFCFB3bAtKTGtLMdKrrVueRHja1DKcw=",
        "yiTsR+UuA8W1v/06TxxlifzHXF5bEk9+pmDOs9th/Qs=",
    ]
    /// The example's placeholder password.
    static let placeholderPassword = "change-me"

    /// What is wrong with `environment`, one line each; empty when nothing is.
    static func problems(_ environment: [String: String]) -> [String] {
        var problems: [String] = []
        let keys = (environment["PII_KEYS"] ?? "").split(separator: ",").compactMap { $0.split(separator: ":", maxSplits: 1).last.map(String.init) }
        if keys.contains(where: publishedKeys.contains) || publishedKeys.contains(environment["PII_INDEX_KEY"] ?? "") {
            problems.append("PII_KEYS or PII_INDEX_KEY is the published example key; make your own with `redress pii new-keys`")
        }
        for name in ["DATABASE_URL", "OWNER_DATABASE_URL", "DATABASE_LISTEN_URL", "SCHEDULER_DATABASE_URL"] {
            guard let url = environment[name], !url.isEmpty else { continue }
            let password = URLComponents(string: url)?.password?.removingPercentEncoding
            if password == placeholderPassword || url.contains("password=\(placeholderPassword)") {
                problems.append("\(name) uses the example password \(placeholderPassword); set a real one")
            }
        }
        return problems
    }

    /// Throws a ``SettingsError`` naming every problem of this process's environment.
    static func verify(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let found = problems(environment)
        guard found.isEmpty else { throw SettingsError("refusing to start: " + found.joined(separator: "; ")) }
    }
}
