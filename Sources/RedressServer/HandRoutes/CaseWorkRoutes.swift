import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// `GET /v1/complaints/{id}/evidence/{evidenceId}/content`: the stored bytes of a piece of
/// evidence, as an attachment of the media type they were recorded with. Routed by hand because
/// the generated protocol answers a body with the one media type the contract names, and this
/// response's media type is whatever the evidence was recorded as.
struct CaseWorkRoutes: Sendable {
    let caseWork: CaseWorkStore
    let contract: ContractDocument
    private let getEvidenceContent: ContractDocument.Operation

    /// The route, its requests held to `contract`'s `getEvidenceContent`.
    init(caseWork: CaseWorkStore, contract: ContractDocument) throws(ServerSetupError) {
        self.caseWork = caseWork
        self.contract = contract
        getEvidenceContent = try contract.operation(id: "getEvidenceContent")
    }

    func register(on group: RouterGroup<AuthenticatedRequestContext>) {
        group.get("complaints/:id/evidence/:evidenceId/content") { request, context -> Response in
            try await content(request, complaintID: context.parameters.get("id") ?? "",
                              evidenceID: context.parameters.get("evidenceId") ?? "", caller: context.caller)
        }
    }

    /// The evidence's bytes for `caller` (the console's download link too).
    func content(_ request: Request, complaintID: String, evidenceID: String, caller: Caller) async throws -> Response {
        _ = try await contract.check(getEvidenceContent, request, pathParameters: ["id": complaintID, "evidenceId": evidenceID])
        guard !caller.roles.isDisjoint(with: CaseWorkAccess.readers) else { throw Problem.notFound() }
        guard let complaint = UUID(uuidString: complaintID), let evidence = UUID(uuidString: evidenceID) else { throw Problem.notFound() }
        let stored = try await caseWork.evidenceContent(caller.scope, complaintID: complaint, evidenceID: evidence)
        return Response(status: .ok, headers: [.contentType: stored.contentType ?? "application/octet-stream",
                                               .cacheControl: "no-store", .contentDisposition: "attachment"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.content)))
    }
}
