import Hummingbird
import Logging
import RedressStore

/// A small HTTP server with `GET /metrics` and `GET /healthz` only, for processes that serve no
/// API (`redress scheduler`), so their series can be scraped too.
public enum MetricsApplication {
    /// Creates the server on `host`:`port`, reporting the connection counts `pool` gives.
    public static func make(host: String, port: Int, pool: @escaping @Sendable () -> PoolFigures,
                            logger: Logger) -> some ApplicationProtocol {
        RedressMetrics.bootstrap()
        let router = Router()
        router.get("/healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: RedressMetrics.exposition(pool: pool()))))
        }
        return Application(router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port),
                                                                                   serverName: "redress-metrics"),
                           logger: logger)
    }
}
