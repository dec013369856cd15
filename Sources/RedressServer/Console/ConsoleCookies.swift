import Crypto
import Foundation
import Hummingbird

/// The console's cookies: the session (the API's session token, `HttpOnly`, `SameSite=Strict`,
/// `Secure` over TLS), the language a person chose, and the sign-in form's own CSRF value.
/// Forms carry a CSRF token derived from the session's secret, which scripts cannot read.
enum ConsoleCookies {
    /// The session's token.
    static let session = "redress_console"
    /// The language the person chose.
    static let language = "redress_lang"
    /// The sign-in form's CSRF value.
    static let signIn = "redress_sign_in"

    /// The value of cookie `name` in `request`.
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == name, !parts[1].isEmpty { return parts[1] }
            }
        }
        return nil
    }

    /// A `Set-Cookie` value for the console's paths; `maxAge` 0 deletes the cookie, nil makes it
    /// last as long as the browser session.
    static func setting(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil, httpOnly: Bool = true) -> String {
        var parts = ["\(name)=\(value)", "Path=/console", "SameSite=Strict"]
        if httpOnly { parts.append("HttpOnly") }
        if secure { parts.append("Secure") }
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        return parts.joined(separator: "; ")
    }

    /// The CSRF token of the session whose token is `secret`: an HMAC of it, so it changes with
    /// every session and tells nothing about the session itself.
    static func csrfToken(for secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("redress-console-csrf".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// A fresh random value (hex), for the sign-in form's CSRF cookie.
    static func randomValue() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }

    /// True when `a` equals `b`, taking as long whatever they differ in.
    static func same(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
