import Hummingbird

/// An RFC 9457 problem response: a stable `type`, a short `title`, the HTTP `status`, and a
/// `detail` for people. `errors` names the offending fields of a request.
public struct Problem: Error, Sendable, Codable, Equatable {
    /// One offending request field.
    public struct FieldError: Sendable, Codable, Equatable {
        /// A JSON pointer or parameter name, e.g. `/complainant/phone` or `limit`.
        public var field: String
        /// What is wrong with it.
        public var message: String
        /// Creates a field error.
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    /// A stable URI naming the kind of problem.
    public var type: String
    /// A short summary of the kind of problem.
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// What happened this time, for people.
    public var detail: String?
    /// The offending fields, when the request was at fault.
    public var errors: [FieldError]?
    /// Seconds to wait before retrying (also sent as `Retry-After`), for 429 and 503 responses.
    public var retryAfter: Int?
    /// The complaint's status, when a lifecycle step was refused.
    public var currentStatus: String?
    /// The steps the complaint allows now, when a lifecycle step was refused.
    public var allowedActions: [String]?

    /// Creates a problem; `kind` becomes `https://redress.dev/problems/<kind>`.
    public init(kind: String, title: String, status: HTTPResponse.Status, detail: String? = nil, errors: [FieldError]? = nil) {
        self.type = "https://redress.dev/problems/\(kind)"
        self.title = title
        self.status = status.code
        self.detail = detail
        self.errors = errors
    }

    /// 404: nothing at this path, or nothing the caller may see there.
    public static func notFound(_ detail: String = "Nothing was found at this path.") -> Problem {
        Problem(kind: "not-found", title: "Not found", status: .notFound, detail: detail)
    }

    /// 413: the request body is larger than the endpoint accepts.
    public static let payloadTooLarge = Problem(
        kind: "payload-too-large", title: "Payload too large", status: .contentTooLarge,
        detail: "The request body is too large.", errors: [FieldError(field: "body", message: "is too large")])

    /// 415: the body is not `application/json`.
    public static let unsupportedMediaType = Problem(
        kind: "unsupported-media-type", title: "Unsupported media type", status: .unsupportedMediaType,
        detail: "Send the body as application/json.", errors: [FieldError(field: "Content-Type", message: "must be application/json")])

    /// 500: something failed that the caller cannot fix; details go to the log only.
    public static let internalError = Problem(
        kind: "internal", title: "Internal error", status: .internalServerError,
        detail: "The request could not be completed. It has been logged.")

    /// 503: the database cancelled a statement that ran longer than allowed; `Retry-After` asks
    /// the caller to wait a few seconds, as a load that slowed the statement may have passed.
    public static let tookTooLong: Problem = {
        var problem = Problem(
            kind: "timeout", title: "Took too long", status: .serviceUnavailable,
            detail: "The request took longer than allowed and was cancelled; nothing was changed. Narrow it or retry later.")
        problem.retryAfter = 5
        return problem
    }()

    /// 503: a dependency (the database) is unavailable, as while a standby takes over from a lost
    /// primary; the caller retries after `Retry-After` (a change retried with the same
    /// `Idempotency-Key` is made once, whether or not the lost attempt was).
    public static let unavailable: Problem = {
        var problem = Problem(
            kind: "unavailable", title: "Service unavailable", status: .serviceUnavailable,
            detail: "The service cannot reach its database right now. Retry shortly.")
        problem.retryAfter = 1
        return problem
    }()
}
