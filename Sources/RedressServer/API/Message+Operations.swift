import RedressCore
import RedressStore

/// Messages to complainants: the branch's templates and settings (admins), the messages of a
/// complaint with their delivery state, and a handler's progress update.
extension APIHandlers {
    func listComplaintNotifications(_ input: Operations.ListComplaintNotifications.Input) async throws
        -> Operations.ListComplaintNotifications.Output {
        let caller = try AuthenticatedCaller.required()
        let items = try await messages.notifications(caller.scope, complaintID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.ComplainantNotification.init), nextCursor: nil))))
    }

    func sendProgressUpdate(_ input: Operations.SendProgressUpdate.Input) async throws -> Operations.SendProgressUpdate.Output {
        let caller = try AuthenticatedCaller.required()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw Problem.validationFailed([.init(field: "/text", message: "must say something")]) }
        let sent = try await messages.sendProgressUpdate(caller, complaintID: try Wire.id(input.path.id, "id"), text: text)
        return .created(.init(body: .json(.init(sent))))
    }

    func listMessageTemplates(_ input: Operations.ListMessageTemplates.Input) async throws -> Operations.ListMessageTemplates.Output {
        let caller = try AuthenticatedCaller.required()
        let items = try await messages.templates(caller)
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.MessageTemplate.init), nextCursor: nil))))
    }

    func saveMessageTemplate(_ input: Operations.SaveMessageTemplate.Input) async throws -> Operations.SaveMessageTemplate.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let key = try Self.templateKey(input.path.event, input.path.channel, input.path.language)
        let saved = try await messages.saveTemplate(caller, event: key.event, channel: key.channel, language: key.language,
                                                    subject: body.subject, body: body.body)
        return .ok(.init(body: .json(.init(saved))))
    }

    func deleteMessageTemplate(_ input: Operations.DeleteMessageTemplate.Input) async throws -> Operations.DeleteMessageTemplate.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        let key = try Self.templateKey(input.path.event, input.path.channel, input.path.language)
        try await messages.removeTemplate(caller, event: key.event, channel: key.channel, language: key.language)
        return .noContent(.init())
    }

    func getMessageSettings(_ input: Operations.GetMessageSettings.Input) async throws -> Operations.GetMessageSettings.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        return .ok(.init(body: .json(.init(try await messages.settings(caller)))))
    }

    func saveMessageSettings(_ input: Operations.SaveMessageSettings.Input) async throws -> Operations.SaveMessageSettings.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        if let url = body.publicUrl, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.contains(where: \.isWhitespace) {
            throw Problem.validationFailed([.init(field: "/publicUrl", message: "must be an http or https address")])
        }
        let saved = try await messages.saveSettings(caller, .init(contact: body.contact, publicURL: body.publicUrl))
        return .ok(.init(body: .json(.init(saved))))
    }

    private static func templateKey(_ event: Components.Schemas.MessageEvent, _ channel: Components.Schemas.MessageChannel,
                                    _ language: Components.Schemas.ComplainantLanguage) throws
        -> (event: ComplainantMessageEvent, channel: ComplainantMessageChannel, language: ComplainantLanguage) {
        guard let event = ComplainantMessageEvent(rawValue: event.rawValue), let channel = ComplainantMessageChannel(rawValue: channel.rawValue),
              let language = ComplainantLanguage(rawValue: language.rawValue) else { throw Problem.notFound() }
        return (event, channel, language)
    }
}
