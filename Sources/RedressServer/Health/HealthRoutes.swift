import Hummingbird

import Postgres

/// `GET /healthz` (the process is up), `GET /readyz` (it can serve: database reachable,
/// migrations current; 503 otherwise; with the scheduler fleet's lag) and `GET /metrics`
/// (Prometheus text exposition; meant for the monitoring network, not the public).
struct HealthRoutes: Sendable {
    let probe: ReadinessProbe
    let pool: PGPool

    func register(on router: Router<RedressRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            try JSONResponse.make(status: .ok, body: ["status": "ok"])
        }
        router.get("/readyz") { _, _ -> Response in
            let report = await probe.check()
            return try JSONResponse.make(status: report.isReady ? .ok : .serviceUnavailable, body: report)
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: RedressMetrics.exposition(pool: pool))))
        }
    }
}
