import Foundation
import RedressCore
import RedressStore

/// What is attached to a complaint: its communications log, evidence, responsibility findings and
/// plans. Whoever reads the complaint reads them; agents, handlers, heads and managers add to them.
/// The stored content of evidence is served by hand (`HandRoutes/CaseWorkRoutes.swift`).
extension APIHandlers {
    func listCommunications(_ input: Operations.ListCommunications.Input) async throws -> Operations.ListCommunications.Output {
        let caller = try CaseWorkAccess.reader()
        let items = try await caseWork.communications(caller.scope, complaintID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.Communication.init), nextCursor: nil))))
    }

    func createCommunication(_ input: Operations.CreateCommunication.Input) async throws -> Operations.CreateCommunication.Output {
        let caller = try CaseWorkAccess.worker()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let entry = try await caseWork.addCommunication(
            caller, complaintID: try Wire.id(input.path.id, "id"), direction: body.direction.rawValue,
            channel: body.channel.rawValue, kind: body.kind.rawValue, content: body.content)
        return .created(.init(body: .json(.init(entry))))
    }

    func listEvidence(_ input: Operations.ListEvidence.Input) async throws -> Operations.ListEvidence.Output {
        let caller = try CaseWorkAccess.reader()
        let items = try await caseWork.evidence(caller.scope, complaintID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.Evidence.init), nextCursor: nil))))
    }

    func createEvidence(_ input: Operations.CreateEvidence.Input) async throws -> Operations.CreateEvidence.Output {
        let caller = try CaseWorkAccess.worker()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.notLaterThanNow(body.collectedAt, "/collectedAt")
        let content = rules.base64(body.contentBase64, "/contentBase64", maximumBytes: Self.maximumEvidenceBytes)
        try rules.check()
        let evidence = try await caseWork.addEvidence(caller, complaintID: try Wire.id(input.path.id, "id"), CaseWorkStore.NewEvidence(
            type: body._type.rawValue, source: body.source, description: body.description, collectedAt: body.collectedAt,
            collectedBy: body.collectedBy, contentType: body.contentType, content: content))
        return .created(.init(body: .json(.init(evidence))))
    }

    func listFindings(_ input: Operations.ListFindings.Input) async throws -> Operations.ListFindings.Output {
        let caller = try CaseWorkAccess.reader()
        let items = try await caseWork.findings(caller.scope, complaintID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.Finding.init), nextCursor: nil))))
    }

    func createFinding(_ input: Operations.CreateFinding.Input) async throws -> Operations.CreateFinding.Output {
        let caller = try CaseWorkAccess.worker()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let finding = try await caseWork.addFinding(
            caller, complaintID: try Wire.id(input.path.id, "id"), basis: body.basis.rawValue,
            directParties: body.directParties ?? [], indirectParties: body.indirectParties ?? [],
            summary: body.summary, accountability: body.accountability)
        return .created(.init(body: .json(.init(finding))))
    }

    func listPlans(_ input: Operations.ListPlans.Input) async throws -> Operations.ListPlans.Output {
        let caller = try CaseWorkAccess.reader()
        let items = try await complaints.plans(caller.scope, complaintID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(items: try items.map(Components.Schemas.Plan.init), nextCursor: nil))))
    }

    /// The most evidence content keeps: 1 MiB.
    static let maximumEvidenceBytes = 1_048_576
}
