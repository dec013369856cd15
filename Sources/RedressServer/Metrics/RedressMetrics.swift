import Foundation
import Metrics
import Prometheus
import RedressStore

/// The process's metrics: swift-metrics backed by one Prometheus registry, served at `/metrics`.
///
/// Series (all prefixed `redress_`): HTTP requests by route, method and status
/// (`http_requests_total`, `http_request_duration_seconds`, `http_request_errors_total`,
/// `http_active_requests`); pool connections by state (`pool_connections`) and the time taken to
/// get one (`pool_acquire_seconds`); the scheduler's lag and work (`scheduler_lag_seconds`,
/// `escalations_total`, `pages_total`, `repages_total`, `deadlines_recomputed_total`); webhook
/// deliveries by outcome (`webhook_deliveries_total`).
public enum RedressMetrics {
    /// The registry every series of this process lives in.
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (renamed[name] ?? sanitized(name), labels.map { (labelNames[$0.0] ?? sanitized($0.0), $0.1) })
        }
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
    }()

    /// Makes swift-metrics report into ``registry``; the first call wins, later ones do nothing.
    public static func bootstrap() { _ = bootstrapped }

    /// Hummingbird's metric names, in this service's terms.
    static let renamed = [
        "hb.requests": "redress_http_requests_total",
        "http.server.request.duration": "redress_http_request_duration_seconds",
        "hb.request.errors": "redress_http_request_errors_total",
        "http.server.active_requests": "redress_http_active_requests",
    ]
    static let labelNames = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status", "error.type": "status",
    ]

    /// A Prometheus-safe name: letters, digits and underscores.
    ///
    /// Names made here are safe already and come back as they are, without a copy: every request
    /// and every connection taken from the pool asks for its series by name.
    static func sanitized(_ name: String) -> String {
        let safe = { (byte: UInt8) in (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte | 0x20) || byte == 0x5F }
        if name.utf8.allSatisfy(safe) { return name }
        return String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
    }

    /// The text exposition of every series, with the pool's connection counts as of now.
    static func exposition(pool: PoolFigures) -> [UInt8] {
        bootstrap()
        for (state, value) in [("open", pool.open), ("idle", pool.idle), ("waiting", pool.waiting)] {
            Gauge(label: "redress_pool_connections", dimensions: [("pool", pool.name), ("state", state)]).record(value)
        }
        Gauge(label: "redress_pool_max_connections", dimensions: [("pool", pool.name)]).record(pool.maximum)
        return registry.emitToBuffer()
    }
}
