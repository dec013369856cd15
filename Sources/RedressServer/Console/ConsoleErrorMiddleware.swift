import Hummingbird
import Logging

/// Turns what a console route throws into a page: the same plain 404 page for anything missing
/// or out of the reader's scope (a complaint of another department, a page of another role), a
/// page naming the refusal for other client errors, and a short apology for the rest, whose
/// cause goes to the log only.
struct ConsoleErrorMiddleware: RouterMiddleware {
    typealias Context = RedressRequestContext
    let renderer: ConsoleRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch ConsoleRefusal.csrf {
            return page(request, key: "error_csrf", status: .forbidden)
        } catch {
            let problem = ProblemMiddleware<RedressRequestContext>.problem(for: error, path: request.uri.path, logger: context.logger)
            switch problem.status {
            case 401, 403, 404: return page(request, key: "error_not_found", status: .notFound)
            case 413: return page(request, key: "error_too_large", status: .contentTooLarge)
            case 429: return page(request, key: "error_rate_limited", status: .tooManyRequests)
            case 400..<500: return page(request, key: "error_bad_request", status: HTTPResponse.Status(code: problem.status))
            case 503: return page(request, key: "error_unavailable", status: .serviceUnavailable)
            default: return page(request, key: "error_internal", status: .internalServerError)
            }
        }
    }

    private func page(_ request: Request, key: String, status: HTTPResponse.Status) -> Response {
        let language = ConsoleVisit.current?.language ?? MessageCatalogue.language(
            preference: ConsoleCookies.value(ConsoleCookies.language, in: request), acceptLanguage: request.headers[.acceptLanguage])
        let t = MessageCatalogue.shared.table(for: language)
        let view: [String: Any] = ["t": t, "lang": language, "message": t[key] ?? key, "title": t["\(key)_title"] ?? t[key] ?? key,
                                   "home": "/console/", "zh": language == "zh-Hans", "back": "/console/"]
        return (try? renderer.page("error", view, status: status)) ?? Response(status: status)
    }
}
