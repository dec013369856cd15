import Hummingbird
import Logging
import Postgres

/// Turns every error a route throws into an `application/problem+json` response. This is the
/// one place where errors become HTTP statuses.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = problem(for: error, request: request)
            return try JSONResponse.make(
                status: HTTPResponse.Status(code: problem.status), body: problem, contentType: "application/problem+json")
        }
    }

    private func problem(for error: any Error, request: Request) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as PGError where error.isConnectionLevel || error.code == .acquireTimeout || error.code == .poolClosed:
            logger.warning("database unavailable", metadata: ["error": "\(error.debugDescription)"])
            return .unavailable
        case let error as HTTPError:
            if error.status == .notFound { return .notFound() }
            return Problem(kind: "http-\(error.status.code)", title: error.status.reasonPhrase,
                           status: error.status, detail: error.body)
        default:
            logger.error("request failed", metadata: [
                "error": "\(String(reflecting: error))", "path": "\(request.uri.path)",
            ])
            return .internalError
        }
    }
}
