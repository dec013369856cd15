import Crypto
import Foundation
import Hummingbird
import RedressStore

/// `GET /healthz` (the process is up), `GET /readyz` (it can serve: database reachable,
/// migrations current; 503 otherwise; with the scheduler fleet's lag; answered from a check at
/// most a second old) and, only when `metricsToken` is set, `GET /metrics` for callers that
/// present it as a bearer token. Without a token, metrics are served on `METRICS_PORT` only.
struct HealthRoutes: Sendable {
    let readiness: ReadinessCache
    /// The service pool's connection counts, for `/metrics`.
    let pool: @Sendable () -> PoolFigures
    /// The bearer token `/metrics` on the API port needs; nil: not served here.
    let metricsToken: String?

    func register(on router: Router<RedressRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            try JSONResponse.make(status: .ok, body: ["status": "ok"])
        }
        router.get("/readyz") { _, _ -> Response in
            let report = await readiness.report()
            return try JSONResponse.make(status: report.isReady ? .ok : .serviceUnavailable, body: report)
        }
        guard let metricsToken else { return }
        let expected = Data(SHA256.hash(data: Data(metricsToken.utf8)))
        router.get("/metrics") { request, _ -> Response in
            let presented = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
            // Compared as digests, so the comparison's time says nothing about the token.
            guard Data(SHA256.hash(data: Data(presented.utf8))) == expected else { throw Problem.unauthenticated }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: RedressMetrics.exposition(pool: pool()))))
        }
    }
}
