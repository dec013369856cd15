import Hummingbird

/// `GET /healthz` (the process is up) and `GET /readyz` (it can serve: database reachable,
/// migrations current; 503 otherwise).
struct HealthRoutes: Sendable {
    let probe: ReadinessProbe

    func register(on router: Router<RedressRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            try JSONResponse.make(status: .ok, body: ["status": "ok"])
        }
        router.get("/readyz") { _, _ -> Response in
            let report = await probe.check()
            return try JSONResponse.make(status: report.isReady ? .ok : .serviceUnavailable, body: report)
        }
    }
}
