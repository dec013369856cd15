import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// Webhooks: a branch's admins register where a recipient's pages (usually a bot's) are posted,
/// change or deactivate them, rotate their signing secret, and read how deliveries went. The
/// secret is in the answer that made it only.
struct WebhookRoutes: Sendable {
    let webhooks: WebhookStore
    /// Which targets may be registered (and, at delivery, reached).
    let targets: WebhookTargetPolicy

    struct NewWebhook: StrictBody {
        static let fields: Set<String> = ["userId", "url"]
        var userId: UUID
        var url: String
    }

    struct WebhookChanges: StrictBody {
        static let fields: Set<String> = ["url", "active", "rotateSecret"]
        var url: String?
        var active: Bool?
        var rotateSecret: Bool?
    }

    static let deliveryStates: Set<String> = ["pending", "delivered", "dead"]

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("webhooks") { _, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            return try JSONResponse.make(status: .ok, body: Page(items: try await webhooks.list(caller.scope), nextCursor: nil))
        }
        group.post("webhooks") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let body = try await RequestBody.decode(NewWebhook.self, from: request)
            var rules = FieldRules()
            Self.checkURL(body.url, targets, &rules)
            try rules.check()
            let webhook = try await webhooks.create(caller.scope, branchID: caller.branchID, userID: body.userId, url: body.url)
            var response = try JSONResponse.make(status: .created, body: webhook)
            response.headers[.location] = "/v1/webhooks/\(webhook.id.uuidString.lowercased())"
            return response
        }
        group.patch("webhooks/:id") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(WebhookChanges.self, from: request)
            var rules = FieldRules()
            Self.checkURL(body.url, targets, &rules)
            try rules.check()
            let webhook = try await webhooks.update(caller.scope, id: id, url: body.url, active: body.active,
                                                    rotateSecret: body.rotateSecret ?? false)
            return try JSONResponse.make(status: .ok, body: webhook)
        }
        group.get("webhooks/:id/deliveries") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let id = try RequestParameters.id(context)
            let state = request.uri.queryParameters["state"].map(String.init)
            if let state, !Self.deliveryStates.contains(state) {
                throw Problem.invalidRequest([.init(field: "state", message: "must be one of pending, delivered, dead")])
            }
            let items = try await webhooks.deliveries(caller.scope, webhookID: id, state: state, limit: try RequestParameters.limit(request))
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
    }

    /// An absolute https URL with a host, no credentials and no fragment, whose host is not a
    /// reserved address (`http` and reserved addresses only when the operator allow-lists the
    /// host). Names are resolved and checked again at each delivery.
    static func checkURL(_ value: String?, _ targets: WebhookTargetPolicy, _ rules: inout FieldRules) {
        guard let value else { return }
        rules.text(value, "/url", length: 1...2000)
        guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil, url.fragment == nil,
              !value.contains(where: \.isWhitespace)
        else {
            rules.fail("/url", "must be an absolute http or https URL with a host, without credentials or fragment")
            return
        }
        guard targets.permits(scheme: scheme, host: host) else {
            rules.fail("/url", "must use https")
            return
        }
        let name = host.lowercased()
        let reserved = IPAddress(host).map(WebhookTargetPolicy.isReserved)
            ?? (name == "localhost" || name.hasSuffix(".localhost"))
        if reserved && !targets.isAllowListed(host: host) {
            rules.fail("/url", "must not point at a loopback, private, link-local or otherwise reserved address")
        }
    }
}
