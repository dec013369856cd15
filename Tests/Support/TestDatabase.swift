import Foundation
import Postgres

/// A fresh database for one test suite on the cluster the test command started, migrated from
/// `sql/` when asked. The URLs come from `REDRESS_TEST_*_URL`, set by `scripts/test`.
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
        let owner = try ownerURL ?? environment("REDRESS_TEST_OWNER_URL")
        let service = try serviceURL ?? environment("REDRESS_TEST_SERVICE_URL")
        let scheduler = try schedulerURL
            ?? serviceURL.map { $0.replacingOccurrences(of: "redress_service@", with: "redress_scheduler@") }
            ?? environment("REDRESS_TEST_SCHEDULER_URL")
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = try await PGConnection.connect(PGConnectionConfiguration(owner))
        defer { admin.close() }
        try await admin.executeScript("CREATE DATABASE \(name)")
        let database = TestDatabase(name: name, ownerURL: rename(owner, to: name), serviceURL: rename(service, to: name),
                                    schedulerURL: rename(scheduler, to: name))
        if migrated {
            try await MigrationQueue.shared.run {
                let connection = try await PGConnection.connect(PGConnectionConfiguration(database.ownerURL))
                defer { connection.close() }
                try await PGMigrator(migrations: try PGMigration.load(from: sqlDirectory)).migrate(connection)
            }
        }
        return database
    }

    /// A pool on this database as the service role, or the owner or the scheduler role when told.
    public func pool(owner: Bool = false, scheduler: Bool = false, size: Int = 4, acquireTimeout: Duration = .seconds(10)) -> PGPool {
        PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(owner ? ownerURL : scheduler ? schedulerURL : serviceURL, applicationName: "redress-test"),
            maximumConnections: size, acquireTimeout: acquireTimeout))
    }

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
