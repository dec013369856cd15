import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// What is attached to a complaint: communications, evidence, findings and plans.
struct CaseWorkRoutes: Sendable {
    let caseWork: CaseWorkStore
    let complaints: ComplaintStore

    /// Roles that log communications and record evidence and findings.
    static let workers: Set<Role> = [.agent, .handler, .departmentHead, .branchManager]
    /// Evidence up to 1 MiB, sent as base64.
    static let evidenceBodyLimit = 1_500_000

    struct CommunicationBody: StrictBody {
        static let fields: Set<String> = ["direction", "channel", "kind", "content"]
        var direction: String
        var channel: String
        var kind: String
        var content: String
    }

    struct EvidenceBody: StrictBody {
        static let fields: Set<String> = ["type", "source", "description", "collectedAt", "collectedBy", "contentType", "contentBase64"]
        var type: String
        var source: String
        var description: String?
        var collectedAt: String
        var collectedBy: String
        var contentType: String?
        var contentBase64: String?
    }

    struct FindingBody: StrictBody {
        static let fields: Set<String> = ["basis", "directParties", "indirectParties", "summary", "accountability"]
        var basis: String
        var directParties: [String]?
        var indirectParties: [String]?
        var summary: String
        var accountability: String?
    }

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("complaints/:id/communications") { _, context -> Response in
            let caller = try Self.reader(context)
            let items = try await caseWork.communications(caller.scope, complaintID: try RequestParameters.id(context))
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
        group.post("complaints/:id/communications") { request, context -> Response in
            let caller = try Self.worker(context)
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(CommunicationBody.self, from: request)
            var rules = FieldRules()
            rules.oneOf(body.direction, ["inbound", "outbound", "internal"], "/direction")
            rules.oneOf(body.channel, ComplaintVocabulary.channels.union(["letter"]), "/channel")
            rules.oneOf(body.kind, ["confirmation", "initial_reply", "progress_update", "result_feedback", "follow_up", "note"], "/kind")
            rules.multilineText(body.content, "/content", length: 1...20_000)
            try rules.check()
            let entry = try await caseWork.addCommunication(caller, complaintID: id, direction: body.direction,
                                                            channel: body.channel, kind: body.kind, content: body.content)
            return try JSONResponse.make(status: .created, body: entry)
        }
        group.get("complaints/:id/evidence") { _, context -> Response in
            let caller = try Self.reader(context)
            let items = try await caseWork.evidence(caller.scope, complaintID: try RequestParameters.id(context))
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
        group.post("complaints/:id/evidence") { request, context -> Response in
            let caller = try Self.worker(context)
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(EvidenceBody.self, from: request, limit: Self.evidenceBodyLimit)
            var rules = FieldRules()
            rules.oneOf(body.type, ["documentary", "electronic", "physical", "witness"], "/type")
            rules.text(body.source, "/source", length: 1...500)
            rules.multilineText(body.description, "/description", length: 1...5_000)
            let collectedAt = rules.pastDateTime(body.collectedAt, "/collectedAt")
            rules.text(body.collectedBy, "/collectedBy", length: 1...200)
            rules.mediaType(body.contentType, "/contentType")
            let content = rules.base64(body.contentBase64, "/contentBase64", maximumBytes: 1_048_576)
            try rules.check()
            let evidence = try await caseWork.addEvidence(caller, complaintID: id, CaseWorkStore.NewEvidence(
                type: body.type, source: body.source, description: body.description, collectedAt: collectedAt!,
                collectedBy: body.collectedBy, contentType: body.contentType, content: content))
            return try JSONResponse.make(status: .created, body: evidence)
        }
        group.get("complaints/:id/evidence/:evidenceId/content") { _, context -> Response in
            let caller = try Self.reader(context)
            let stored = try await caseWork.evidenceContent(
                caller.scope, complaintID: try RequestParameters.id(context), evidenceID: try RequestParameters.id(context, "evidenceId"))
            return Response(status: .ok, headers: [.contentType: stored.contentType ?? "application/octet-stream",
                                                   .cacheControl: "no-store", .contentDisposition: "attachment"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.content)))
        }
        group.get("complaints/:id/findings") { _, context -> Response in
            let caller = try Self.reader(context)
            let items = try await caseWork.findings(caller.scope, complaintID: try RequestParameters.id(context))
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
        group.post("complaints/:id/findings") { request, context -> Response in
            let caller = try Self.worker(context)
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(FindingBody.self, from: request)
            var rules = FieldRules()
            rules.oneOf(body.basis, ["fault", "strict_liability", "causation"], "/basis")
            rules.parties(body.directParties, "/directParties")
            rules.parties(body.indirectParties, "/indirectParties")
            rules.multilineText(body.summary, "/summary", length: 1...20_000)
            rules.multilineText(body.accountability, "/accountability", length: 1...5_000)
            try rules.check()
            let finding = try await caseWork.addFinding(caller, complaintID: id, basis: body.basis,
                                                        directParties: body.directParties ?? [], indirectParties: body.indirectParties ?? [],
                                                        summary: body.summary, accountability: body.accountability)
            return try JSONResponse.make(status: .created, body: finding)
        }
        group.get("complaints/:id/plans") { _, context -> Response in
            let caller = try Self.reader(context)
            let items = try await complaints.plans(caller.scope, complaintID: try RequestParameters.id(context))
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
    }

    /// Readers of complaints; anyone else finds nothing.
    static func reader(_ context: RedressRequestContext) throws -> Caller {
        let caller = try context.requireCaller()
        guard !caller.roles.isDisjoint(with: ComplaintRoutes.readerRoles) else { throw Problem.notFound() }
        return caller
    }

    /// Roles that add case work.
    static func worker(_ context: RedressRequestContext) throws -> Caller {
        let caller = try context.requireCaller()
        guard !caller.roles.isDisjoint(with: workers) else { throw Problem.forbidden(needing: .handler) }
        return caller
    }
}

extension FieldRules {
    /// A media type such as `image/png`.
    mutating func mediaType(_ value: String?, _ field: String) {
        guard let value else { return }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let token = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&-^_.+")
        if value.count > 200 || parts.count != 2 || parts.contains(where: { $0.isEmpty || !$0.allSatisfy(token.contains) }) {
            fail(field, "must be a media type such as image/png")
        }
    }

    /// Base64 content of at most `maximumBytes` once decoded.
    mutating func base64(_ value: String?, _ field: String, maximumBytes: Int) -> Data? {
        guard let value else { return nil }
        guard let data = Data(base64Encoded: value) else {
            fail(field, "must be base64")
            return nil
        }
        if data.count > maximumBytes { fail(field, "must decode to at most \(maximumBytes) bytes") }
        return data
    }

    /// Names of responsible parties: at most 20, each 1–200 characters.
    mutating func parties(_ value: [String]?, _ field: String) {
        guard let value else { return }
        if value.count > 20 { fail(field, "must name at most 20 parties") }
        for (index, party) in value.enumerated() { text(party, "\(field)/\(index)", length: 1...200) }
    }
}
