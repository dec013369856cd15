import RedressStore

extension Components.Schemas.Webhook {
    /// The webhook; `secret` only when the store just made it (creation or rotation).
    init(_ webhook: WebhookStore.Webhook) {
        self.init(id: Wire.id(webhook.id), branchId: Wire.id(webhook.branchId),
                  kind: .init(rawValue: webhook.kind) ?? .pages,
                  userId: webhook.userId.map(Wire.id), url: webhook.url,
                  active: webhook.active, personalData: webhook.personalData, createdAt: webhook.createdAt, updatedAt: webhook.updatedAt, secret: webhook.secret)
    }
}

extension Components.Schemas.Delivery {
    init(_ delivery: WebhookStore.Delivery) throws {
        self.init(id: Wire.id(delivery.id), pageId: Wire.id(delivery.pageId), state: try WireWord.read(delivery.state),
                  attempts: delivery.attempts, nextAttemptAt: delivery.nextAttemptAt, lastError: delivery.lastError,
                  createdAt: delivery.createdAt, finishedAt: delivery.finishedAt,
                  history: delivery.history.map { attempt in
                      .init(attempt: attempt.attempt, startedAt: attempt.startedAt, durationMs: attempt.durationMs,
                            statusCode: attempt.statusCode, error: attempt.error)
                  })
    }
}
