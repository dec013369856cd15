import Logging

/// Applies numbered SQL migrations in order, each in its own transaction, recording each with
/// its checksum in `schema_migrations`.
///
/// A session advisory lock serialises concurrent runs, so several instances starting at once
/// apply each file exactly once. A file that changed after it was applied stops the run.
public struct PGMigrator: Sendable {
    /// The advisory lock key every migrator takes.
    public static let advisoryLockKey: Int = 0x5245_4452_4553_53  // "REDRESS"
    /// The migrations to apply, in order.
    public let migrations: [PGMigration]
    private let logger: Logger

    /// Creates a migrator for `migrations` (see `PGMigration.load(from:)`).
    public init(migrations: [PGMigration], logger: Logger = Logger(label: "redress.migrate")) {
        self.migrations = migrations
        self.logger = logger
    }

    /// What the database holds compared with the files.
    public struct Status: Sendable, Equatable {
        /// Versions applied with the same checksum as their file.
        public var applied: [Int]
        /// Versions not applied yet.
        public var pending: [Int]
        /// Versions applied whose file now has a different checksum.
        public var changed: [Int]
        /// Versions recorded in the database that no file has.
        public var unknown: [Int]
        /// True when every file is applied unchanged.
        public var isCurrent: Bool { pending.isEmpty && changed.isEmpty }
    }

    /// Applies what is pending; returns the versions it applied (empty when already current).
    @discardableResult
    public func migrate(_ connection: PGConnection) async throws -> [Int] {
        try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
        do {
            let applied = try await applyPending(connection)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
            throw error
        }
    }

    private func applyPending(_ connection: PGConnection) async throws -> [Int] {
        try await connection.executeScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let status = try await self.status(connection)
        if let version = status.changed.first, let file = migrations.first(where: { $0.version == version }) {
            throw PGError(.migration, message: "migration \(file.name) changed after it was applied (checksum differs); add a new migration instead")
        }
        var applied: [Int] = []
        for migration in migrations where status.pending.contains(migration.version) {
            logger.info("applying migration", metadata: ["file": "\(migration.name)"])
            do {
                try await connection.withTransaction { transaction in
                    try await transaction.executeScript(migration.sql)
                    try await transaction.execute("""
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                        """)
                }
            } catch let error as PGError {
                var failure = PGError(.migration, message: "migration \(migration.name) failed: \(error.message)",
                                      sqlState: error.sqlState, detail: error.detail, hint: error.hint)
                failure.query = migration.name
                throw failure
            }
            applied.append(migration.version)
        }
        return applied
    }

    /// Compares the recorded migrations with the files. A database without the table has
    /// every file pending.
    public func status(_ connection: PGConnection) async throws -> Status {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        var recorded: [Int: String] = [:]
        if try exists[0].decode(Bool.self, at: 0) {
            for row in try await connection.query("SELECT version, checksum FROM schema_migrations") {
                recorded[try row.decode(Int.self, at: 0)] = try row.decode(String.self, at: 1)
            }
        }
        var status = Status(applied: [], pending: [], changed: [], unknown: [])
        for migration in migrations {
            switch recorded[migration.version] {
            case nil: status.pending.append(migration.version)
            case migration.checksum: status.applied.append(migration.version)
            default: status.changed.append(migration.version)
            }
        }
        let known = Set(migrations.map(\.version))
        status.unknown = recorded.keys.filter { !known.contains($0) }.sorted()
        return status
    }
}
