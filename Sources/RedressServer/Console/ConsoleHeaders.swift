import HTTPTypes
import Hummingbird

/// The headers of the console's answers: HTML never cached, and a policy that lets the page load
/// its own stylesheet and script only (no inline script, no other origin).
enum ConsoleHeaders {
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// The headers of an HTML page.
    static var page: HTTPFields {
        [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
         HTTPField.Name("Content-Security-Policy")!: contentSecurityPolicy]
    }

    /// A `303 See Other` to `location`, optionally setting cookies.
    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}
