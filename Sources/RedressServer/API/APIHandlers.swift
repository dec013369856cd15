import RedressStore

/// The operations of openapi.yaml that the generated ``APIProtocol`` serves, one extension per
/// area (`Category+Operations.swift`, …). Each reads the caller from ``AuthenticatedCaller``,
/// calls its store and maps the store's values to the generated types (`…+Wire.swift`).
struct APIHandlers: APIProtocol {
    let categories: CategoryStore
    let routingRules: RoutingRuleStore

    init(database: ScopedDatabase) {
        categories = CategoryStore(database: database)
        routingRules = RoutingRuleStore(database: database)
    }
}
