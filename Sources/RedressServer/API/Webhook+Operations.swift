import Foundation
import RedressCore
import RedressStore

/// Webhooks: a branch's admins register where a recipient's pages (usually a bot's) are posted,
/// and the branch's notification gateway, where its messages to complainants go,
/// change or deactivate them, rotate their signing secret, and read how deliveries went. The
/// secret is in the answer that made it only.
extension APIHandlers {
    func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        let items = try await webhooks.list(try AuthenticatedCaller.required(holding: .admin).scope)
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.Webhook.init), nextCursor: nil))))
    }

    func createWebhook(_ input: Operations.CreateWebhook.Input) async throws -> Operations.CreateWebhook.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        try limits.webhookTargets.checkRegistering(body.url)
        let webhook: WebhookStore.Webhook
        switch body.kind ?? .pages {
        case .pages:
            guard let user = body.userId else { throw Problem.validationFailed([.init(field: "/userId", message: "is required for a webhook of kind pages")]) }
            webhook = try await webhooks.create(caller.scope, branchID: caller.branchID, userID: try Wire.id(user, "/userId"), url: body.url)
        case .gateway:
            try checkGateway(body.url)
            guard body.userId == nil else { throw Problem.validationFailed([.init(field: "/userId", message: "names no one on a gateway: it posts the branch's messages")]) }
            webhook = try await webhooks.createGateway(caller.scope, branchID: caller.branchID, url: body.url)
        case .events:
            guard body.userId == nil else { throw Problem.validationFailed([.init(field: "/userId", message: "names no one on an events webhook: it posts the branch's events")]) }
            webhook = try await webhooks.createEvents(caller.scope, branchID: caller.branchID, url: body.url)
        }
        return .created(.init(headers: .init(location: "/v1/webhooks/\(Wire.id(webhook.id))"), body: .json(.init(webhook))))
    }

    func updateWebhook(_ input: Operations.UpdateWebhook.Input) async throws -> Operations.UpdateWebhook.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let id = try Wire.id(input.path.id, "id")
        try limits.webhookTargets.checkRegistering(body.url)
        if body.url != nil || body.active == true,
           let gateway = try await webhooks.list(caller.scope).first(where: { $0.id == id && $0.kind == "gateway" }) {
            try checkGateway(body.url ?? gateway.url)
        }
        let webhook = try await webhooks.update(caller.scope, id: id, url: body.url, active: body.active,
                                                rotateSecret: body.rotateSecret ?? false)
        return .ok(.init(body: .json(.init(webhook))))
    }

    /// Refuses (422, naming `/url`) a gateway at a host the operator does not allow (`GATEWAY_HOSTS`):
    /// messages carry complainants' personal data and access codes.
    private func checkGateway(_ url: String) throws {
        guard let host = URLComponents(string: url)?.host?.lowercased(), limits.gatewayHosts.contains(host) else {
            throw Problem.validationFailed([.init(field: "/url", message: "is not at a host the operator allows for gateways (GATEWAY_HOSTS)")])
        }
    }

    func listWebhookDeliveries(_ input: Operations.ListWebhookDeliveries.Input) async throws -> Operations.ListWebhookDeliveries.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        let items = try await webhooks.deliveries(caller.scope, webhookID: try Wire.id(input.path.id, "id"),
                                                  state: input.query.state?.rawValue, limit: input.query.limit ?? 50)
        return .ok(.init(body: .json(.init(items: try items.map(Components.Schemas.Delivery.init), nextCursor: nil))))
    }
}
