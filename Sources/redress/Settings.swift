import Foundation
import Logging
import Postgres
import RedressScheduler
import RedressServer
import RedressCore
import RedressStore
import ServiceLifecycle

/// Settings read from the environment; flags override them. Every variable is listed, with its
/// default, in `deploy/redress.env.example`.
struct Settings {
    /// `DATABASE_URL`: the service role's connection; unset means the local cluster.
    var databaseURL: String?
    /// `OWNER_DATABASE_URL`: the schema owner's connection, used to migrate.
    var ownerDatabaseURL: String?
    /// `SCHEDULER_DATABASE_URL`: the scheduler role's (`redress_scheduler`) connection, for
    /// `redress scheduler`, `redress retention` and the scheduler inside `serve`, LISTEN included
    /// (so not through a transaction-pooling PgBouncer). Unset means the local cluster's.
    var schedulerDatabaseURL: String?
    /// `DATABASE_LISTEN_URL`: the service role's direct connection for LISTEN (page streams), when `DATABASE_URL` goes through a transaction-pooling PgBouncer,
    /// which cannot carry LISTEN. Default: `DATABASE_URL`.
    var listenURL: String?
    /// `DATABASE_READ_URL`: the service role on a streaming standby, which then serves reports
    /// while its replay lag is at most `READ_REPLICA_MAX_LAG_SECONDS` (default 10). Unset: none.
    var readURL: String?
    var readReplicaMaximumLag: Int
    /// `REDRESS_DATA_DIR`: where the local cluster lives. Default `.redress`.
    var dataDirectory: URL
    /// `REDRESS_SQL_DIR`: the migrations folder. Default: `sql` beside the working directory or the executable.
    var sqlDirectory: URL?
    /// `DATABASE_POOL_SIZE`: connections per instance. Default 16.
    var poolSize: Int
    /// `DATABASE_PREPARED_STATEMENTS`: `false` behind a pooler that cannot carry them. Default true.
    var preparedStatements: Bool
    /// `DATABASE_*` timeouts, lifetimes, keepalives and the statement cache (`DatabaseClientSettings`).
    var databaseClient: DatabaseClientSettings
    /// `LOG_LEVEL`: trace … critical. Default info.
    var logLevel: Logger.Level
    /// `LOG_FORMAT`: `json` (default) or `text`.
    var logFormat: String
    /// `PASSWORD_HASH_COST`: bcrypt cost factor, 4–16. Default 12.
    var passwordHashCost: Int
    /// `SIGN_IN_FIRST_BLOCK_SECONDS`: how long a client waits after five failed sign-ins in a row
    /// at one login, doubling with each further failure up to 15 min. Default 1.
    var signInFirstBlockSeconds: Int
    /// `SESSION_TTL_SECONDS`: how long a sign-in lasts. Default 43200 (12 h).
    var sessionLifetime: Duration
    /// `REPEAT_WINDOW_DAYS`: how far back a complaint of the same customer and category makes a
    /// new one a repeat. Default 30.
    var repeatWindowDays: Int
    /// `SCHEDULER`: `on` (default) runs the escalation scheduler inside `serve`; `off` leaves it
    /// to separate `redress scheduler` processes.
    var schedulerInServe: Bool
    /// `SCHEDULER_BATCH_SIZE`: complaints claimed per transaction. Default 500.
    var schedulerBatchSize: Int
    /// `SCHEDULER_POLL_SECONDS`: the longest sleep between looks. Default 5.
    var schedulerPollSeconds: Int
    /// `SIGN_IN_RATE_PER_MINUTE`: sign-in attempts admitted per client address per minute. Default 30.
    var signInsPerMinute: Int
    /// `RATE_LIMIT_PER_MINUTE`: requests admitted per session or API key per minute. Default 1200.
    var requestsPerMinute: Int
    /// `METRICS_PORT`: where `serve` and `redress scheduler` serve `/metrics` and `/healthz`
    /// (0: nowhere). Default 9464. The API port serves `/metrics` only with `METRICS_TOKEN`.
    var metricsPort: Int
    /// `WEBHOOK_MAX_ATTEMPTS`: attempts before a page delivery is dead-lettered. Default 8.
    var webhookMaxAttempts: Int
    /// `WEBHOOK_RETRY_BASE_SECONDS`: the wait after a first failed delivery, doubled after each
    /// later failure (with jitter) up to an hour. Default 10.
    var webhookRetryBaseSeconds: Int
    /// `WEBHOOK_TIMEOUT_SECONDS`: how long one delivery attempt may take. Default 10.
    var webhookTimeoutSeconds: Int
    /// `WEBHOOK_ALLOWED_HOSTS`: host names and CIDR blocks webhooks may reach although they are
    /// loopback, private or otherwise reserved, over http too (comma-separated). Default: none.
    var webhookTargets: WebhookTargetPolicy
    /// `GATEWAY_HOSTS`: the host names branches' notification gateways may be at (comma-separated);
    /// messages to complainants go nowhere else. Default: none.
    var gatewayHosts: Set<String>
    /// `TRUSTED_PROXIES`: CIDR blocks of the proxies whose `X-Forwarded-For` names the client
    /// (comma-separated). Default: none, so the socket's peer is the client.
    var trustedProxies: [IPNetwork]
    /// `METRICS_TOKEN`: when set, `GET /metrics` on the API port answers callers presenting it
    /// as a bearer token. Default: unset, and the API port serves no metrics.
    var metricsToken: String?
    /// `TOKEN_FAILURES_PER_MINUTE`: failed bearer-token resolutions per client address per
    /// minute before that address is answered 429 without a lookup. Default 30.
    var tokenFailuresPerMinute: Int
    /// `PHONE_SEARCHES_PER_MINUTE`: phone lookups per user per minute. Default 30.
    var phoneSearchesPerMinute: Int
    /// `PUBLIC_LOOKUPS_PER_MINUTE`: progress lookups without signing in per client address per
    /// minute. Default 30.
    var publicLookupsPerMinute: Int
    /// `INTAKE_KEY_REQUESTS_PER_MINUTE`: requests admitted per intake key per minute (a channel's
    /// own limit, instead of `RATE_LIMIT_PER_MINUTE`). Default 60.
    var intakeKeyRequestsPerMinute: Int
    /// `PUBLIC_LOOKUP_FAILURES`: wrong access codes for one case number before it locks. Default 5.
    var publicLookupFailures: Int
    /// `PUBLIC_LOOKUP_LOCK_SECONDS`: how long a case number stays locked, and how long its wrong
    /// codes are counted together. Default 900.
    var publicLookupLockSeconds: Int
    /// `PAGE_STREAMS_PER_CREDENTIAL`: page streams one session or key may hold open. Default 4.
    var pageStreamsPerCredential: Int
    /// `PAGE_STREAM_HEARTBEAT_SECONDS`: how often a page stream sends a heartbeat and re-checks
    /// its credential, so at most this long after sign-out or revocation it ends. Default 15.
    var pageStreamHeartbeatSeconds: Int
    /// `CONSOLE_SECURE_COOKIES`: `on` marks the console's cookies `Secure` (set it when a TLS proxy
    /// serves the console); `off` (default) does not, so the console also works over plain HTTP.
    var consoleSecureCookies: Bool
    /// `CONSOLE_ON_TIME_TARGET_PERCENT`: the on-time rate the console's report measures each
    /// milestone against. Default 90.
    var consoleOnTimeTargetPercent: Int
    /// `PII_KEYS` (`id:base64,…`, 32-byte AES-256 keys), `PII_KEY_ID` (the key new data is sealed
    /// with; default the last listed) and `PII_INDEX_KEY` (base64, 32 bytes, the phone blind
    /// index's key). Required with `DATABASE_URL`; the local cluster keeps its own in
    /// `REDRESS_DATA_DIR/personal-data.keys`.
    var personalDataKeySettings: (keys: String, current: String?, index: String)?
    /// `HTTP_IDLE_TIMEOUT_SECONDS`: an idle connection is closed after this long. Default 60.
    var idleTimeoutSeconds: Int
    /// `DATABASE_STATEMENT_TIMEOUT_SECONDS`: one statement of a request may run this long. Default 30.
    var statementTimeoutSeconds: Int
    /// `ARCHIVE_AFTER_DAYS`: closed complaints are archived this long after closing. Default 180.
    var archiveAfterDays: Int
    /// `RETENTION_DAYS`: the personal data and free text of complaints closed this long ago are
    /// erased (statistics stay). Default 1095 (three years); at least 365.
    var retentionDays: Int

    init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        databaseURL = nonEmpty("DATABASE_URL")
        listenURL = nonEmpty("DATABASE_LISTEN_URL")
        readURL = nonEmpty("DATABASE_READ_URL")
        guard let lag = Int(nonEmpty("READ_REPLICA_MAX_LAG_SECONDS") ?? "10"), (0...86_400).contains(lag) else {
            throw SettingsError("READ_REPLICA_MAX_LAG_SECONDS must be a whole number of seconds from 0 to 86400")
        }
        readReplicaMaximumLag = lag
        ownerDatabaseURL = nonEmpty("OWNER_DATABASE_URL")
        schedulerDatabaseURL = nonEmpty("SCHEDULER_DATABASE_URL")
        dataDirectory = URL(fileURLWithPath: nonEmpty("REDRESS_DATA_DIR") ?? ".redress")
        sqlDirectory = nonEmpty("REDRESS_SQL_DIR").map { URL(fileURLWithPath: $0) }
        guard let size = Int(nonEmpty("DATABASE_POOL_SIZE") ?? "16"), size > 0 else {
            throw SettingsError("DATABASE_POOL_SIZE must be a positive whole number")
        }
        poolSize = size
        preparedStatements = (nonEmpty("DATABASE_PREPARED_STATEMENTS") ?? "true") != "false"
        databaseClient = try DatabaseClientSettings(environment: environment)
        guard let level = Logger.Level(rawValue: nonEmpty("LOG_LEVEL") ?? "info") else {
            throw SettingsError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = level
        logFormat = nonEmpty("LOG_FORMAT") ?? "json"
        guard let cost = Int(nonEmpty("PASSWORD_HASH_COST") ?? "12"), (4...16).contains(cost) else {
            throw SettingsError("PASSWORD_HASH_COST must be a whole number from 4 to 16")
        }
        passwordHashCost = cost
        guard let block = Int(nonEmpty("SIGN_IN_FIRST_BLOCK_SECONDS") ?? "1"), (1...900).contains(block) else {
            throw SettingsError("SIGN_IN_FIRST_BLOCK_SECONDS must be a whole number from 1 to 900")
        }
        signInFirstBlockSeconds = block
        guard let ttl = Int(nonEmpty("SESSION_TTL_SECONDS") ?? "43200"), (60...2_592_000).contains(ttl) else {
            throw SettingsError("SESSION_TTL_SECONDS must be a whole number from 60 to 2592000 (30 days)")
        }
        sessionLifetime = .seconds(ttl)
        guard let days = Int(nonEmpty("REPEAT_WINDOW_DAYS") ?? "30"), (1...3650).contains(days) else {
            throw SettingsError("REPEAT_WINDOW_DAYS must be a whole number from 1 to 3650")
        }
        repeatWindowDays = days
        switch nonEmpty("SCHEDULER") ?? "on" {
        case "on": schedulerInServe = true
        case "off": schedulerInServe = false
        default: throw SettingsError("SCHEDULER must be on or off")
        }
        guard let batch = Int(nonEmpty("SCHEDULER_BATCH_SIZE") ?? "500"), (1...100_000).contains(batch) else {
            throw SettingsError("SCHEDULER_BATCH_SIZE must be a whole number from 1 to 100000")
        }
        schedulerBatchSize = batch
        guard let poll = Int(nonEmpty("SCHEDULER_POLL_SECONDS") ?? "5"), (1...3600).contains(poll) else {
            throw SettingsError("SCHEDULER_POLL_SECONDS must be a whole number from 1 to 3600")
        }
        schedulerPollSeconds = poll
        func number(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let value = Int(nonEmpty(key) ?? String(fallback)), range.contains(value) else {
                throw SettingsError("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        metricsPort = try number("METRICS_PORT", 9464, 0...65535)
        signInsPerMinute = try number("SIGN_IN_RATE_PER_MINUTE", 30, 1...100_000)
        requestsPerMinute = try number("RATE_LIMIT_PER_MINUTE", 1200, 1...1_000_000)
        webhookMaxAttempts = try number("WEBHOOK_MAX_ATTEMPTS", 8, 1...100)
        webhookRetryBaseSeconds = try number("WEBHOOK_RETRY_BASE_SECONDS", 10, 1...3600)
        webhookTimeoutSeconds = try number("WEBHOOK_TIMEOUT_SECONDS", 10, 1...300)
        switch WebhookTargetPolicy.parse(nonEmpty("WEBHOOK_ALLOWED_HOSTS") ?? "") {
        case .success(let policy): webhookTargets = policy
        case .failure(let invalid): throw SettingsError("WEBHOOK_ALLOWED_HOSTS: \(invalid.entry) is neither a host name nor an address block")
        }
        gatewayHosts = Set((nonEmpty("GATEWAY_HOSTS") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        trustedProxies = try (nonEmpty("TRUSTED_PROXIES") ?? "").split(separator: ",").map { entry in
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard let network = IPNetwork(text) else { throw SettingsError("TRUSTED_PROXIES: \(text) is not an address or CIDR block") }
            return network
        }
        metricsToken = nonEmpty("METRICS_TOKEN")
        tokenFailuresPerMinute = try number("TOKEN_FAILURES_PER_MINUTE", 30, 1...1_000_000)
        phoneSearchesPerMinute = try number("PHONE_SEARCHES_PER_MINUTE", 30, 1...100_000)
        publicLookupsPerMinute = try number("PUBLIC_LOOKUPS_PER_MINUTE", 30, 1...1_000_000)
        intakeKeyRequestsPerMinute = try number("INTAKE_KEY_REQUESTS_PER_MINUTE", 60, 1...1_000_000)
        publicLookupFailures = try number("PUBLIC_LOOKUP_FAILURES", 5, 1...100)
        publicLookupLockSeconds = try number("PUBLIC_LOOKUP_LOCK_SECONDS", 900, 1...86_400)
        pageStreamsPerCredential = try number("PAGE_STREAMS_PER_CREDENTIAL", 4, 1...1000)
        pageStreamHeartbeatSeconds = try number("PAGE_STREAM_HEARTBEAT_SECONDS", 15, 1...300)
        switch nonEmpty("CONSOLE_SECURE_COOKIES") ?? "off" {
        case "on": consoleSecureCookies = true
        case "off": consoleSecureCookies = false
        default: throw SettingsError("CONSOLE_SECURE_COOKIES must be on or off")
        }
        consoleOnTimeTargetPercent = try number("CONSOLE_ON_TIME_TARGET_PERCENT", 90, 1...100)
        idleTimeoutSeconds = try number("HTTP_IDLE_TIMEOUT_SECONDS", 60, 1...3600)
        statementTimeoutSeconds = try number("DATABASE_STATEMENT_TIMEOUT_SECONDS", 30, 1...3600)
        archiveAfterDays = try number("ARCHIVE_AFTER_DAYS", 180, 1...36_500)
        retentionDays = try number("RETENTION_DAYS", 1095, 365...36_500)
        if let keys = nonEmpty("PII_KEYS") {
            guard let index = nonEmpty("PII_INDEX_KEY") else { throw SettingsError("PII_INDEX_KEY must be set with PII_KEYS") }
            personalDataKeySettings = (keys, nonEmpty("PII_KEY_ID"), index)
        }
    }

    /// The keys that protect personal data: the configured ones; for the local cluster, the ones
    /// kept beside it (made on first use, readable by this user only).
    func personalDataKeys() throws -> PersonalDataKeys {
        do {
            if let configured = personalDataKeySettings {
                return try PersonalDataKeys(keys: configured.keys, currentKeyID: configured.current, indexKey: configured.index)
            }
            guard databaseURL == nil else {
                throw SettingsError("set PII_KEYS and PII_INDEX_KEY (make them with `redress pii new-keys`); personal data is sealed with them")
            }
            let file = dataDirectory.appendingPathComponent("personal-data.keys")
            if !FileManager.default.fileExists(atPath: file.path) {
                try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
                FileManager.default.createFile(atPath: file.path, contents: Data(PersonalDataKeys.generate().settingsText.utf8),
                                               attributes: [.posixPermissions: 0o600])
            }
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
            func value(_ key: String) -> String? { lines.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) } }
            guard let keys = value("PII_KEYS"), let index = value("PII_INDEX_KEY") else {
                throw SettingsError("\(file.path) lacks PII_KEYS or PII_INDEX_KEY")
            }
            return try PersonalDataKeys(keys: keys, currentKeyID: value("PII_KEY_ID"), indexKey: index)
        } catch let problem as PersonalDataKeys.Problem {
            throw SettingsError(problem.description)
        }
    }

    /// The migrations folder: the configured one, else `./sql`, else `sql` above the executable.
    func migrationsDirectory() throws -> URL {
        if let sqlDirectory { return sqlDirectory }
        var candidates = [URL(fileURLWithPath: "sql")]
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent("sql"))
            folder.deleteLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/usr/share/redress/sql"))
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_roles.sql").path) {
            return candidate
        }
        throw SettingsError("cannot find the sql/ migrations folder; set REDRESS_SQL_DIR")
    }

    /// What the store needs from these settings.
    func store() throws -> StoreConfiguration {
        var store = StoreConfiguration(passwordHashCost: passwordHashCost, sessionLifetime: sessionLifetime,
                                       repeatWindow: .seconds(repeatWindowDays * 86_400), personalDataKeys: try personalDataKeys(),
                                       statementTimeout: .seconds(statementTimeoutSeconds),
                                       signInFirstBlock: .seconds(signInFirstBlockSeconds))
        store.lookupFailuresBeforeLock = publicLookupFailures
        store.lookupLock = .seconds(publicLookupLockSeconds)
        return store
    }

    /// What the scheduler needs from these settings.
    var scheduler: SchedulerConfiguration {
        SchedulerConfiguration(batchSize: schedulerBatchSize, pollInterval: .seconds(schedulerPollSeconds))
    }

    /// How long closed complaints stay before they are archived, and their personal data before it is erased.
    var retention: RetentionStore.Periods {
        RetentionStore.Periods(archiveAfter: .seconds(archiveAfterDays * 86_400), eraseAfter: .seconds(retentionDays * 86_400))
    }

    /// What webhook delivery needs from these settings.
    var delivery: DeliveryConfiguration {
        var configuration = DeliveryConfiguration(maxAttempts: webhookMaxAttempts, baseDelay: .seconds(webhookRetryBaseSeconds),
                                                  timeout: .seconds(webhookTimeoutSeconds), pollInterval: .seconds(schedulerPollSeconds),
                                                  targets: webhookTargets)
        configuration.gatewayHosts = gatewayHosts
        return configuration
    }

    /// The background services (escalation scheduler, webhook deliverer, audit sealer, report counts' folder, retention) on `pool`, a pool of
    /// the scheduler role's connections, listening on that role's `url`.
    func backgroundServices(pool: PGPool, url: String) throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        [
            .init(service: EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(url, applicationName: "redress-scheduler"),
                                               configuration: scheduler, logger: Logger(label: "redress.scheduler"))),
            .init(service: WebhookDeliverer(pool: pool, listen: PGConnectionConfiguration(url, applicationName: "redress-webhooks"),
                                            configuration: delivery, keys: try personalDataKeys(), logger: Logger(label: "redress.webhooks"))),
            .init(service: AuditSealer(pool: pool, pollInterval: .seconds(schedulerPollSeconds))),
            .init(service: ReportCountsFolder(pool: pool, pollInterval: .seconds(schedulerPollSeconds))),
            .init(service: RetentionKeeper(pool: pool, periods: retention)),
        ]
    }

    /// A pool of the scheduler role's connections on `url` (4 connections).
    func schedulerPool(url: String, logger: Logger) -> PGPool {
        PGPool(configuration: databaseClient.pool(
            databaseClient.connection(url, applicationName: "redress-scheduler", usePreparedStatements: preparedStatements),
            size: 4), logger: logger)
    }

    /// Sets up logging and metrics once for the process, before anything records.
    func bootstrapLogging() {
        RedressMetrics.bootstrap()
        let level = logLevel
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// A setting that cannot be used, with a message for the operator.
struct SettingsError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
