import Foundation
import Logging
import ServiceLifecycle

/// The loop of a background chore that works through what has piled up: `drain` until it finds
/// nothing, then look again every `pollInterval`, until graceful shutdown. A failed pass is logged
/// as `failure` and retried after a second.
struct DrainLoop: Sendable {
    let pollInterval: Duration
    let failure: String
    let logger: Logger

    func run(_ drain: @escaping @Sendable () async throws -> Int) async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await drain() == 0 { try await Task.sleep(for: pollInterval) }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("\(failure); retrying", metadata: ["error": "\(String(reflecting: error))"])
                    try await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}
