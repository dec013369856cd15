import Hummingbird
import Logging
import NIOCore
import RedressAPI
import RedressCore
import RedressStore

/// Builds the Redress HTTP application: routes, middleware, and the services it depends on.
public enum RedressApplication {
    /// Creates the application on `database`. `onListening` receives the bound port once the
    /// server accepts connections (useful with port 0). Throws when what the build embedded cannot
    /// serve (``ServerSetupError``).
    public static func make(
        configuration: ServerConfiguration,
        database: ServiceDatabase,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(ServerSetupError) -> some ApplicationProtocol {
        let router = try makeRouter(database: database, limits: configuration, logger: logger)
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout.inSeconds * 1000)))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "redress"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// The router with every route and middleware; its `routes` list what the API serves.
    /// `limits` gives the rate limits.
    public static func makeRouter(
        database: ServiceDatabase, limits: ServerConfiguration = ServerConfiguration(), logger: Logger
    ) throws(ServerSetupError) -> Router<RedressRequestContext> {
        RedressMetrics.bootstrap()
        let router = Router(context: RedressRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ProblemMiddleware())
        let probe = database.readiness
        HealthRoutes(readiness: ReadinessCache(check: { await probe.check() }), pool: { database.poolFigures },
                     metricsToken: limits.metricsToken)
            .register(on: router)
        try V1Routes.register(on: router, database: database.scoped, pageFeed: PageFeed(signals: database.pageSignals), limits: limits,
                          logger: logger)
        return router
    }

    /// The OpenAPI 3.1 document served at `GET /v1/openapi.json` (openapi.yaml as JSON).
    public static var openAPIDocument: String { OpenAPIDocumentText.json }

    /// openapi.yaml as written, served at `GET /v1/openapi.yaml`.
    public static var openAPIDocumentYAML: String { OpenAPIDocumentText.yaml }
}
