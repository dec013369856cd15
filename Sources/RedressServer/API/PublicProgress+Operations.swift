import Foundation
import RedressCore
import RedressStore

/// What a complainant can do without signing in, and what agents do for them: look a complaint's
/// progress up with its case number and access code, add a statement to it, and be given a new code.
extension APIHandlers {
    /// Public: `limits.publicLookups` per client address a minute, counted before anything is
    /// read. An unknown case number and a wrong code are one 404, and both count towards the case
    /// number's lock (429 once locked, known or not).
    func lookUpComplaintProgress(_ input: Operations.LookUpComplaintProgress.Input) async throws
        -> Operations.LookUpComplaintProgress.Output {
        if let wait = limits.publicLookups.admit(RequestClient.key) { throw Problem.tooManyLookups(retryAfter: wait) }
        let (caseNumber, code) = try Self.caseAndCode(input.path.caseNumber, input.query.code, codeField: "code")
        switch try await complaints.lookUpProgress(caseNumber: caseNumber, code: code, client: RequestClient.key,
                                                   requestID: RequestClient.requestID) {
        case .done(let progress):
            let language = input.headers.acceptLanguage.flatMap(ComplainantLanguage.preferred(byAcceptLanguage:)) ?? progress.language
            return .ok(.init(body: .json(.init(progress, in: language))))
        case .unknown:
            throw Problem.notFound("No complaint has this case number and access code.")
        case .locked(let seconds):
            throw Problem.tooManyLookups(retryAfter: seconds)
        }
    }

    /// Public, with the lookup's limit, answers and lock: the complainant's statement, in the
    /// communications log and on the timeline, with its attachments as their evidence.
    func addComplainantStatement(_ input: Operations.AddComplainantStatement.Input) async throws
        -> Operations.AddComplainantStatement.Output {
        if let wait = limits.publicLookups.admit(RequestClient.key) { throw Problem.tooManyLookups(retryAfter: wait) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let (caseNumber, code) = try Self.caseAndCode(input.path.caseNumber, body.code, codeField: "/code")
        var rules = FieldRules()
        rules.requireText(body.text, "/text")
        let attachments = (body.attachments ?? []).enumerated().compactMap { index, file in
            rules.base64(file.contentBase64, "/attachments/\(index)/contentBase64", maximumBytes: Self.maximumEvidenceBytes).map {
                ComplaintStore.Attachment(fileName: file.fileName, contentType: file.contentType, content: $0)
            }
        }
        try rules.check()
        switch try await complaints.addStatement(caseNumber: caseNumber, code: code, text: body.text, attachments: attachments,
                                                 client: RequestClient.key, requestID: RequestClient.requestID) {
        case .added(let id, let at):
            return .created(.init(body: .json(.init(communicationId: Wire.id(id), at: at))))
        case .unknown:
            throw Problem.notFound("No complaint has this case number and access code.")
        case .locked(let seconds):
            throw Problem.tooManyLookups(retryAfter: seconds)
        case .tooMany(let seconds):
            var problem = Problem(kind: "too-many-statements", title: "Too many statements", status: .tooManyRequests,
                                  detail: "This complaint took as many statements as a day allows. Try again in \(seconds) s.")
            problem.retryAfter = seconds
            throw problem
        case .archived:
            throw Problem(kind: "conflict", title: "Conflict", status: .conflict,
                          detail: "This complaint is archived and takes no more statements.")
        }
    }

    /// The case number and access code as typed, or a 400 naming whichever is not one.
    static func caseAndCode(_ caseText: String, _ codeText: String, codeField: String) throws -> (String, AccessCode) {
        var errors: [Problem.FieldError] = []
        let caseNumber = CaseNumber.reading(caseText)
        if caseNumber == nil { errors.append(.init(field: "caseNumber", message: "is not a case number (NORTH-20261123-000042)")) }
        let code = AccessCode(reading: codeText)
        if code == nil {
            errors.append(.init(field: codeField, message: "is not an access code: 12 letters and digits without I, O, 0 or 1"))
        }
        guard let caseNumber, let code, errors.isEmpty else { throw Problem.invalidRequest(errors) }
        return (caseNumber, code)
    }

    /// A new access code for the complainant, in the answer only.
    func reissueAccessCode(_ input: Operations.ReissueAccessCode.Input) async throws -> Operations.ReissueAccessCode.Output {
        let caller = try ComplaintAccess.caller(among: ComplaintAccess.readerRoles, else: .forbidden(needing: .agent))
        guard PersonalDataMask.seesInFull(caller.roles) else { throw Problem.needsPersonalDataInFull(to: "Issuing an access code") }
        let issued = try await complaints.reissueAccessCode(caller, id: try Wire.id(input.path.id, "id"))
        return .created(.init(body: .json(.init(caseNumber: issued.caseNumber, accessCode: issued.code.description))))
    }
}

extension Problem {
    /// 429: too many lookups from this client, or too many wrong codes for the case number lately.
    static func tooManyLookups(retryAfter seconds: Int) -> Problem {
        var problem = Problem(kind: "too-many-lookups", title: "Too many lookups", status: .tooManyRequests,
                              detail: "Too many lookups from here, or too many wrong codes for this case number. Try again in \(seconds) s.")
        problem.retryAfter = seconds
        return problem
    }
}
