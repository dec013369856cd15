import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime
import RedressStore

/// Turns every error a route throws into an `application/problem+json` response. This is the
/// one place where errors become HTTP statuses. Every response carries the request's id in
/// `X-Request-Id`, the same id as the `hb.request.id` of every log line about the request. Titles
/// and field messages follow `Accept-Language` (``ProblemLanguage``).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await respond(request, context: context, next: next)
        response.headers[HTTPField.Name("X-Request-Id")!] = context.id
        return response
    }

    private func respond(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let language = MessageCatalogue.language(preference: nil, acceptLanguage: request.headers[.acceptLanguage])
            let problem = ProblemLanguage.translated(Self.problem(for: error, path: request.uri.path, logger: context.logger),
                                                     into: language)
            var response = try JSONResponse.make(
                status: HTTPResponse.Status(code: problem.status), body: problem, contentType: "application/problem+json")
            if problem.status == 401 { response.headers[.wwwAuthenticate] = "Bearer" }
            response.headers[.contentLanguage] = language
            response.headers[.vary] = "Accept-Language"
            if let seconds = problem.retryAfter { response.headers[.retryAfter] = "\(seconds)" }
            return response
        }
    }

    static func problem(for error: StoreError) -> Problem {
        switch error {
        case .notFound:
            return .notFound()
        case .conflict(let field, let message):
            return Problem(kind: "conflict", title: "Conflict", status: .conflict,
                           detail: "A value must be unique and is already taken.", errors: [.init(field: field, message: message)])
        case .invalidReference(let field, let message), .invalidValue(let field, let message):
            return .validationFailed([.init(field: field, message: message)])
        case .forbidden:
            return Problem(kind: "forbidden", title: "Forbidden", status: .forbidden,
                           detail: "Your roles do not allow this change.")
        case .lifecycle(.notAllowed(let current, let allowed)):
            var problem = Problem(
                kind: "invalid-transition", title: "Step not allowed now", status: .conflict,
                detail: "The complaint is \(current.rawValue); allowed next steps: "
                    + (allowed.isEmpty ? "none" : allowed.map(\.rawValue).joined(separator: ", ")) + ".")
            problem.currentStatus = current.rawValue
            problem.allowedActions = allowed.map(\.rawValue)
            return problem
        case .lifecycle(.missing(let field)):
            return .validationFailed([.init(field: "/" + field, message: "is required for this step")])
        case .lifecycle(.needsRole(let roles)):
            return Problem(kind: "forbidden", title: "Forbidden", status: .forbidden,
                           detail: "This step needs one of the roles " + roles.map(\.rawValue).sorted().joined(separator: ", ") + ".")
        case .lifecycle(.needsAnotherPerson(let reason)):
            return Problem(kind: "forbidden", title: "Forbidden", status: .forbidden, detail: reason)
        case .unavailable:
            return .unavailable
        case .tookTooLong:
            return .tookTooLong
        }
    }

    /// An error of a generated operation: what the handler or a middleware threw, or the runtime's
    /// own refusal of a request it could not read (a 4xx it names, such as 406 for `Accept`).
    private static func problem(forGenerated error: ServerError, path: String, logger: Logger) -> Problem {
        switch error.underlyingError {
        case is Problem, is StoreError, is DecodingError, is NIOTooManyBytesError, is HTTPError:
            return problem(for: error.underlyingError, path: path, logger: logger)
        case let underlying where StoreError.failure(underlying) != nil:
            return problem(for: underlying, path: path, logger: logger)
        default:
            guard (400..<500).contains(error.httpStatus.code) else {
                return problem(for: error.underlyingError, path: path, logger: logger)
            }
            return Problem(kind: "http-\(error.httpStatus.code)", title: error.httpStatus.reasonPhrase, status: error.httpStatus,
                           detail: error.causeDescription)
        }
    }

    /// The problem `error` stands for; errors nobody planned for are logged (with `path`) and become a 500.
    static func problem(for error: any Error, path: String, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as ServerError:
            return problem(forGenerated: error, path: path, logger: logger)
        case let error as DecodingError:
            return .invalidRequest([error.fieldError])
        case let error as StoreError:
            return Self.problem(for: error)
        case is NIOTooManyBytesError:
            return .payloadTooLarge
        case let error where StoreError.failure(error) != nil:
            let (failure, log) = StoreError.failure(error)!
            if failure == .unavailable {
                logger.warning("database unavailable", metadata: ["error": "\(log)"])
            } else {
                logger.warning("statement cancelled", metadata: ["error": "\(log)", "path": "\(path)"])
            }
            return Self.problem(for: failure)
        case let error as HTTPError:
            if error.status == .notFound { return .notFound() }
            return Problem(kind: "http-\(error.status.code)", title: error.status.reasonPhrase,
                           status: error.status, detail: error.body)
        default:
            logger.error("request failed", metadata: [
                "error": "\(String(reflecting: error))", "path": "\(path)",
            ])
            return .internalError
        }
    }
}
