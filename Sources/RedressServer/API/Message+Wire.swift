import Foundation
import RedressCore
import RedressStore

extension Components.Schemas.ComplainantNotification {
    init(_ message: MessageStore.Notification) {
        self.init(id: Wire.id(message.id), complaintId: Wire.id(message.complaintId), event: .init(rawValue: message.event.rawValue)!,
                  channel: .init(rawValue: message.channel.rawValue)!, language: .init(rawValue: message.language.rawValue)!,
                  recipient: message.recipient, communicationId: Wire.id(message.communicationId),
                  state: .init(rawValue: message.state) ?? .unsent, attempts: message.attempts, nextAttemptAt: message.nextAttemptAt,
                  lastError: message.lastError, createdAt: message.createdAt, deliveredAt: message.deliveredAt)
    }
}

extension Components.Schemas.MessageTemplate {
    init(_ template: MessageStore.Template) {
        self.init(event: .init(rawValue: template.event.rawValue)!, channel: .init(rawValue: template.channel.rawValue)!,
                  language: .init(rawValue: template.language.rawValue)!, subject: template.subject, body: template.body,
                  updatedAt: template.updatedAt)
    }
}

extension Components.Schemas.MessageSettings {
    init(_ settings: MessageStore.Settings) {
        self.init(contact: settings.contact, publicUrl: settings.publicURL)
    }
}
