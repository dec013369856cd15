import Foundation
import HTTPTypes
import HummingbirdTesting

/// A browser's part in a console session over real HTTP: it keeps the cookies the server sets,
/// sends them back, and reads the CSRF token of the last page it got.
struct ConsoleVisitor {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var csrf = ""

    /// Signs in through the console's form.
    static func signIn(_ client: any TestClientProtocol, branch: String, login: String,
                       password: String = "correct-horse-battery") async throws -> ConsoleVisitor {
        var visitor = ConsoleVisitor(client: client)
        _ = try await visitor.get("/console/sign-in")
        let answer = try await visitor.post("/console/sign-in", ["branch": branch, "login": login, "password": password])
        guard answer.status == .seeOther, visitor.cookies["redress_console"] != nil else {
            throw APIFailure("console sign-in of \(login)@\(branch) answered \(answer.status)")
        }
        return visitor
    }

    /// `GET path` with the session's cookies.
    mutating func get(_ path: String, headers: [String: String] = [:]) async throws -> APIResponse {
        try await send(.get, path, body: nil, contentType: nil, headers: headers)
    }

    /// `POST path` with `fields` as a URL-encoded form; the session's CSRF token is added unless
    /// `fields` names one.
    mutating func post(_ path: String, _ fields: [String: String], csrf: String? = nil) async throws -> APIResponse {
        var fields = fields
        if fields["csrf"] == nil { fields["csrf"] = csrf ?? self.csrf }
        let body = fields.sorted { $0.key < $1.key }.map { "\(Self.encoded($0.key))=\(Self.encoded($0.value))" }.joined(separator: "&")
        return try await send(.post, path, body: body, contentType: "application/x-www-form-urlencoded", headers: [:])
    }

    /// Any request, with the session's cookies.
    mutating func send(_ method: HTTPRequest.Method, _ path: String, body: String?, contentType: String?,
                       headers: [String: String]) async throws -> APIResponse {
        var headers = headers
        if !cookies.isEmpty { headers["Cookie"] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let answer = try await client.call(method, path, body: body, contentType: contentType ?? "application/json", headers: headers)
        for line in answer.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if line.contains("Max-Age=0") || pair[1].isEmpty { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        if let range = answer.html.range(of: #"name="csrf" value="([0-9a-f]+)""#, options: .regularExpression) {
            csrf = String(answer.html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
        return answer
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

extension APIResponse {
    /// The body as text.
    var html: String { String(decoding: body, as: UTF8.self) }
}
