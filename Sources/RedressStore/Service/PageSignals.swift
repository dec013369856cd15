import Foundation
import Logging
import Postgres

/// `LISTEN redress_pages` on a connection of its own: each notification names the user who has
/// a new page (`sql/0011_paging_delivery.sql`). Started by the first page stream of a process and
/// stopped with the last.
public struct PageSignals: Sendable {
    private let listener: PGListener

    /// Signals listened for on `listen`.
    public init(listen: PGConnectionConfiguration, logger: Logger) {
        listener = PGListener(configuration: listen, channels: ["redress_pages"], logger: logger)
    }

    /// Starts listening; `deliver` runs on the listener's thread with each recipient's id, and
    /// `resumed` each time it listens again after a lost connection (a restart, a failover), when
    /// any recipient may have pages whose notifications were lost.
    public func start(_ deliver: @escaping @Sendable (UUID) -> Void, resumed: @escaping @Sendable () -> Void = {}) -> Listening {
        Listening(listener.start(onResumed: resumed, deliver: { notification in
            if let userID = UUID(uuidString: notification.payload) { deliver(userID) }
        }))
    }

    /// A running listener.
    public struct Listening: Sendable {
        private let listening: PGListening

        fileprivate init(_ listening: PGListening) { self.listening = listening }

        /// Stops the listener's thread and closes its connection.
        public func stop() { listening.stop() }
    }
}
