import Hummingbird
import RedressCore

extension Problem {
    /// 401: no valid bearer token or API key.
    static let unauthenticated = Problem(
        kind: "unauthenticated", title: "Authentication required", status: .unauthorized,
        detail: "Send a valid session token or bot API key as `Authorization: Bearer <token>`.")

    /// 401: the sign-in credentials did not match.
    static let invalidCredentials = Problem(
        kind: "invalid-credentials", title: "Invalid credentials", status: .unauthorized,
        detail: "The branch, login or password is wrong, or the account is disabled.")

    /// 403: the caller's roles do not allow this action.
    static func forbidden(needing role: Role) -> Problem {
        Problem(kind: "forbidden", title: "Forbidden", status: .forbidden,
                detail: "This action needs the \(role.rawValue) role.")
    }

    /// 403: the caller must replace a password somebody else chose before anything else.
    static let passwordChangeRequired = Problem(
        kind: "password-change-required", title: "Password change required", status: .forbidden,
        detail: "Your password was chosen by somebody else. Replace it first: POST /v1/me/password with currentPassword and newPassword.")

    /// 403: only people snooze pages and hand them on; bots confirm delivery or relay a person's answer.
    static let peopleOnly = Problem(
        kind: "forbidden", title: "Forbidden", status: .forbidden,
        detail: "Only people snooze pages and hand them on. A bot confirms delivery, or relays a paged person's acknowledgement.")

    /// 403: `doing` (a phrase, "Issuing an access code") is for the roles that see customers'
    /// personal data in full.
    static func needsPersonalDataInFull(to doing: String) -> Problem {
        Problem(kind: "forbidden", title: "Forbidden", status: .forbidden,
                detail: "\(doing) needs one of the roles "
                    + PersonalDataMask.fullAccessRoles.map(\.rawValue).sorted().joined(separator: ", ") + ".")
    }

    /// 403: bots have no password to change.
    static let botsHaveNoPassword = Problem(
        kind: "forbidden", title: "Forbidden", status: .forbidden, detail: "Bots have no password; they use API keys.")

    /// 429: this credential sent more requests than its limit; `Retry-After` says when to go on.
    static func rateLimited(retryAfter seconds: Int) -> Problem {
        var problem = Problem(kind: "rate-limited", title: "Too many requests", status: .tooManyRequests,
                              detail: "This credential sent more requests per minute than allowed. Retry after \(seconds) s.")
        problem.retryAfter = seconds
        return problem
    }

    /// 429: this credential already holds as many open page streams as allowed.
    static func tooManyStreams(limit: Int) -> Problem {
        var problem = Problem(kind: "too-many-streams", title: "Too many open streams", status: .tooManyRequests,
                              detail: "This credential already holds \(limit) open page streams. Close one first.")
        problem.retryAfter = 15
        return problem
    }

    /// 429: too many failed sign-ins; `Retry-After` says when to try again.
    static func throttled(retryAfter seconds: Int) -> Problem {
        var problem = Problem(kind: "too-many-attempts", title: "Too many attempts", status: .tooManyRequests,
                              detail: "Too many failed sign-ins in a row. Try again in \(seconds) s.")
        problem.retryAfter = seconds
        return problem
    }

    /// 400: the request is malformed; `errors` names the fields.
    static func invalidRequest(_ errors: [FieldError]) -> Problem {
        Problem(kind: "invalid-request", title: "Invalid request", status: .badRequest,
                detail: "The request could not be read. See errors for the fields.", errors: errors)
    }

    /// 422: the request is well-formed but its values break the rules; `errors` names the fields.
    static func validationFailed(_ errors: [FieldError]) -> Problem {
        Problem(kind: "validation-failed", title: "Validation failed", status: .unprocessableContent,
                detail: "Some values are not acceptable. See errors for the fields.", errors: errors)
    }
}
