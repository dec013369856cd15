import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import RedressAPI
import RedressStore

/// Registers every `/v1` route: sign-in in the open, the rest behind the ``Authenticator``; and
/// the console under `/console/`, on the same operations. Throws when what the build embedded (the
/// contract, the console's templates) cannot serve.
enum V1Routes {
    static func register(on router: Router<RedressRequestContext>, database: ScopedDatabase, pageFeed: PageFeed,
                         limits: ServerConfiguration, logger: Logger) throws(ServerSetupError) {
        let contract = try ContractDocument.served.get()
        let auth = AuthStore(database: database)
        let v1 = router.group("v1")
        v1.get("openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocumentText.json)))
        }
        v1.get("openapi.yaml") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=300"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocumentText.yaml)))
        }
        let clients = ClientAddress(trustedProxies: limits.trustedProxies)
        // Every limit is counted across all instances (`auth.count_requests`).
        let counts = limits.sharedRateLimits ? RateCountStore(pool: database.pool) : nil
        let signIns = RateLimiter(name: "sign_in", limit: limits.signInsPerMinute, sharing: counts)
        let phoneSearches = RateLimiter(name: "phone_search", limit: limits.phoneSearchesPerMinute, sharing: counts)
        let authenticator = Authenticator(
            auth: auth, limiter: RateLimiter(name: "requests", limit: limits.requestsPerMinute, sharing: counts),
            intakeLimiter: RateLimiter(name: "intake_key", limit: limits.intakeKeyRequestsPerMinute, sharing: counts),
            failures: RateLimiter(name: "token_failure", limit: limits.tokenFailuresPerMinute, sharing: counts), clients: clients)
        let authenticated = v1.group().add(middleware: authenticator).group(context: AuthenticatedRequestContext.self)
        // The operations of the generated protocol, each held to the contract before it is decoded.
        // Registration fails only for a server URL that is not one; "/" is.
        let handlers = APIHandlers(database: database, limits: .init(
            signIns: signIns, phoneSearches: phoneSearches,
            publicLookups: RateLimiter(name: "public_lookup", limit: limits.publicLookupsPerMinute, sharing: counts),
            webhookTargets: limits.webhookTargets,
            gatewayHosts: limits.gatewayHosts))
        let table = OperationTable()
        let transport = OperationTransport(open: router.group().add(middleware: RequestClientMiddleware(clients: clients)),
                                           guarded: router.group().add(middleware: RequestClientMiddleware(clients: clients))
                                               .add(middleware: authenticator),
                                           document: contract, table: table)
        do {
            try handlers.registerHandlers(on: transport, serverURL: URL(string: "/")!, configuration: .redress,
                                          middlewares: [ContractMiddleware(document: contract)])
        } catch {
            throw .operationsNotRegistered("\(error)")
        }
        let streams = StreamRegistry(limit: limits.pageStreamsPerCredential)
        PageRoutes(pages: PageStore(database: database), feed: pageFeed, auth: auth, streams: streams, heartbeat: limits.pageStreamHeartbeat)
            .register(on: authenticated)
        let reports = try ReportRoutes(reports: ReportStore(database: database), phoneSearches: phoneSearches, contract: contract)
        reports.register(on: authenticated)
        let caseWork = try CaseWorkRoutes(caseWork: CaseWorkStore(database: database), contract: contract)
        caseWork.register(on: authenticated)
        ConsoleRoutes(api: ConsoleAPI(table: table, logger: logger, limiter: authenticator.limiter), authenticator: authenticator, clients: clients,
                      secureCookies: limits.consoleSecureCookies,
                      live: ConsoleLive(pages: PageStore(database: database), feed: pageFeed, auth: auth, streams: streams,
                                        heartbeat: limits.pageStreamHeartbeat),
                      database: database, audit: AuditStore(pool: database.pool), exports: reports, evidence: caseWork, onTimeTarget: limits.consoleOnTimeTarget,
                      renderer: try ConsoleRenderer.embedded.get())
            .register(on: router)
    }
}
