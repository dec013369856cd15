import Foundation
import RedressCore
import RedressStore

/// API keys: admins list, issue and revoke their branch's keys, bots' and channels' intake keys;
/// a bot lists its own. The secret is in the creation response only.
extension APIHandlers {
    func listAPIKeys(_ input: Operations.ListAPIKeys.Input) async throws -> Operations.ListAPIKeys.Output {
        let page = try await apiKeys.list(try AuthenticatedCaller.required().scope,
                                          page: try Wire.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.APIKey.init), nextCursor: page.nextCursor))))
    }

    func createAPIKey(_ input: Operations.CreateAPIKey.Input) async throws -> Operations.CreateAPIKey.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        if let expiresAt = body.expiresAt, expiresAt <= Date() {
            throw Problem.validationFailed([.init(field: "/expiresAt", message: "must be in the future")])
        }
        // A bot's key names its bot; an intake key names its channel and gets a user of its own.
        let kind = body.kind ?? .bot
        var rules = FieldRules()
        switch kind {
        case .bot:
            if body.userId == nil { rules.fail("/userId", "names the bot a bot's key is for") }
            if body.channel != nil { rules.fail("/channel", "is an intake key's") }
        case .intake:
            if body.channel == nil { rules.fail("/channel", "names the channel an intake key takes complaints in on") }
            if body.userId != nil { rules.fail("/userId", "is not given: an intake key gets a user of its own") }
        }
        try rules.check()
        let issued: (key: APIKey, secret: String, signingSecret: String?)
        if kind == .intake, let channel = body.channel {
            issued = try await apiKeys.createIntake(caller.scope, branchID: caller.branchID, channel: channel.rawValue, name: body.name,
                                                    expiresAt: body.expiresAt, createdBy: caller.userID)
        } else {
            let bots = try await apiKeys.create(caller.scope, branchID: caller.branchID, userID: try Wire.id(body.userId ?? "", "/userId"),
                                                name: body.name, expiresAt: body.expiresAt, createdBy: caller.userID)
            issued = (bots.key, bots.secret, nil)
        }
        return .created(.init(headers: .init(location: "/v1/api-keys/\(Wire.id(issued.key.id))"),
                              body: .json(.init(key: .init(issued.key), secret: issued.secret, signingSecret: issued.signingSecret))))
    }

    /// Revokes a key at once; revoking it again is harmless.
    func revokeAPIKey(_ input: Operations.RevokeAPIKey.Input) async throws -> Operations.RevokeAPIKey.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        _ = try await apiKeys.revoke(caller.scope, id: try Wire.id(input.path.id, "id"))
        return .noContent(.init())
    }
}
