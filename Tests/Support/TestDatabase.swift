import Foundation
import Postgres

/// A fresh database for one test suite on the cluster the test command started, migrated from
/// `sql/` when asked (as a copy of a template database migrated once). The URLs come from `REDRESS_TEST_*_URL`, set by `scripts/test`.
public struct TestDatabase: Sendable {
    /// The database's name.
    public let name: String
    /// The owner's connection string for this database.
    public let ownerURL: String
    /// The service role's connection string for this database.
    public let serviceURL: String
    /// The scheduler role's connection string for this database.
    public let schedulerURL: String

    /// The repository's `sql/` folder.
    public static let sqlDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sql")

    static func environment(_ key: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[key], !value.isEmpty else {
            throw PGError(.connectionFailed, message: "\(key) is not set; run the tests with scripts/test")
        }
        return value
    }

    /// The owner's URL for the cluster's main database.
    public static func clusterOwnerURL() throws -> String { try environment("REDRESS_TEST_OWNER_URL") }
    /// The superuser's URL, for tests that must act as an operator.
    public static func superuserURL() throws -> String { try environment("REDRESS_TEST_SUPERUSER_URL") }

    /// Creates an empty database owned by `redress_owner`, optionally migrated from `sql/`, on the
    /// test command's cluster or on the cluster whose owner and service URLs are given (its
    /// scheduler URL is the service URL with the scheduler role, unless given).
    public static func create(migrated: Bool = true, ownerURL: String? = nil, serviceURL: String? = nil,
                              schedulerURL: String? = nil) async throws -> TestDatabase {
        TestLogging.bootstrap()
        let owner = try ownerURL ?? environment("REDRESS_TEST_OWNER_URL")
        let service = try serviceURL ?? environment("REDRESS_TEST_SERVICE_URL")
        let scheduler = try schedulerURL
            ?? serviceURL.map { $0.replacingOccurrences(of: "redress_service@", with: "redress_scheduler@") }
            ?? environment("REDRESS_TEST_SCHEDULER_URL")
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        // A migrated database is a copy of a template migrated once per cluster and run.
        let template = migrated ? try await TemplateDatabases.shared.template(ownerURL: owner) : nil
        let admin = try await PGConnection.connect(PGConnectionConfiguration(owner))
        defer { admin.close() }
        try await admin.executeScript("CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0)" } ?? ""))
        if template != nil {
            // A copy does not inherit the template's database privileges; the migrations revoke these.
            try await admin.executeScript("REVOKE TEMPORARY ON DATABASE \(name) FROM PUBLIC")
        }
        return TestDatabase(name: name, ownerURL: rename(owner, to: name), serviceURL: rename(service, to: name),
                            schedulerURL: rename(scheduler, to: name))
    }

    /// Creates a database named `name` on the cluster of `ownerURL` and migrates it from `sql/`.
    static func migrateNew(_ name: String, ownerURL: String) async throws {
        let admin = try await PGConnection.connect(PGConnectionConfiguration(ownerURL))
        defer { admin.close() }
        try await admin.executeScript("CREATE DATABASE \(name)")
        try await MigrationQueue.shared.run {
            let connection = try await PGConnection.connect(PGConnectionConfiguration(rename(ownerURL, to: name)))
            defer { connection.close() }
            try await PGMigrator(migrations: try PGMigration.load(from: sqlDirectory)).migrate(connection)
        }
    }

    /// A pool on this database as the service role, or the owner or the scheduler role when told.
    public func pool(owner: Bool = false, scheduler: Bool = false, size: Int = 4, acquireTimeout: Duration = .seconds(10)) -> PGPool {
        PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(owner ? ownerURL : scheduler ? schedulerURL : serviceURL, applicationName: "redress-test"),
            maximumConnections: size, acquireTimeout: acquireTimeout))
    }

    /// The superuser's connection string for this database (tests that play an operator or
    /// take a defence away on purpose).
    public func superuserURL() throws -> String { Self.rename(try Self.superuserURL(), to: name) }

    static func rename(_ url: String, to database: String) -> String {
        guard let at = url.firstIndex(of: "@"), let query = url.firstIndex(of: "?") else { return url }
        return String(url[...at]) + "/" + database + String(url[query...])
    }
}

extension TestDatabase {
    /// Runs `body` with a pool on this database and shuts the pool down afterwards.
    public func withPool<R>(
        owner: Bool = false, scheduler: Bool = false, size: Int = 4, acquireTimeout: Duration = .seconds(10),
        _ body: (PGPool) async throws -> R
    ) async throws -> R {
        let pool = pool(owner: owner, scheduler: scheduler, size: size, acquireTimeout: acquireTimeout)
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}

/// The migrated template database of each cluster, made on first use: copying it
/// (`CREATE DATABASE … TEMPLATE`) is about ten times faster than migrating a new database.
actor TemplateDatabases {
    static let shared = TemplateDatabases()
    private var templates: [String: Task<String, any Error>] = [:]

    /// The name of the migrated template on the cluster of `ownerURL`.
    func template(ownerURL: String) async throws -> String {
        let key = TestDatabase.rename(ownerURL, to: "")
        if let existing = templates[key] { return try await existing.value }
        let name = "test_template_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let making = Task { try await TestDatabase.migrateNew(name, ownerURL: ownerURL); return name }
        templates[key] = making
        do {
            return try await making.value
        } catch {
            templates[key] = nil
            throw error
        }
    }
}

/// Migrates test databases one at a time: migrations create cluster-wide roles, and the advisory
/// lock that serialises them only covers one database.
actor MigrationQueue {
    static let shared = MigrationQueue()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run(_ body: @Sendable () async throws -> Void) async throws {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        try await body()
    }
}
