import Foundation
import Hummingbird
import Logging
import Postgres
import RedressAPI
import RedressServer
import RedressStore

extension RedressApplication {
    /// The application on `pool`, as `serve` builds it, for tests that start from a pool.
    static func make(configuration: ServerConfiguration, pool: PGPool, store: StoreConfiguration = StoreConfiguration(),
                     migrator: PGMigrator, logger: Logger) throws -> some ApplicationProtocol {
        try make(configuration: configuration,
             database: ServiceDatabase(pool: pool, store: store, migrator: migrator, logger: logger), logger: logger)
    }

    /// The router on `pool`, for tests that read its routes.
    static func makeRouter(pool: PGPool, migrator: PGMigrator, logger: Logger) throws -> Router<RedressRequestContext> {
        try makeRouter(database: ServiceDatabase(pool: pool, migrator: migrator, logger: logger), logger: logger)
    }
}

/// Reads a timestamp as the API writes it (RFC 3339, with or without milliseconds).
func apiDate(_ text: String) -> Date? { try? MillisecondDateTranscoder().decode(text) }
