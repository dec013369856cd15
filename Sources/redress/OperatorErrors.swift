import ArgumentParser
import Foundation
import Postgres

/// Runs a command's body and, when the database refuses, prints everything PostgreSQL said
/// (message, detail, hint) for the operator before exiting with status 1.
func reportingDatabaseErrors<R>(_ body: () async throws -> R) async throws -> R {
    do {
        return try await body()
    } catch let error as PGError {
        FileHandle.standardError.write(Data("error: \(error.debugDescription)\n".utf8))
        throw ExitCode.failure
    }
}
