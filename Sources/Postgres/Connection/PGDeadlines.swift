import Foundation

/// Runs actions at instants on one thread of its own: the client's clock for statements that
/// must not wait on the network for ever. The thread runs only while something is scheduled.
final class PGDeadlines: @unchecked Sendable {
    /// The one instance of the process.
    static let shared = PGDeadlines()

    /// Identifies a scheduled action, to withdraw it.
    struct Token: Hashable { fileprivate let id: UInt64 }

    private struct Entry {
        let id: UInt64
        let due: ContinuousClock.Instant
        let action: @Sendable () -> Void
    }

    private let condition = NSCondition()
    private var entries: [Entry] = []
    private var nextID: UInt64 = 0
    private var threadRunning = false

    /// Runs `action` on the deadline thread at `due`, unless withdrawn first.
    func schedule(at due: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> Token {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        // The thread only needs waking when this is now the earliest deadline.
        let earliest = entries.allSatisfy { $0.due > due }
        entries.append(Entry(id: nextID, due: due, action: action))
        if threadRunning {
            if earliest { condition.signal() }
        } else {
            threadRunning = true
            let thread = Thread { [self] in loop() }
            thread.name = "pg-deadlines"
            thread.start()
        }
        return Token(id: nextID)
    }

    /// Withdraws an action that has not run yet.
    func withdraw(_ token: Token) {
        condition.lock()
        entries.removeAll { $0.id == token.id }
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        while true {
            if entries.isEmpty {
                // Linger briefly for the next statement, then end: no thread stays behind idle.
                if !condition.wait(until: Date().addingTimeInterval(1)) && entries.isEmpty { break }
                continue
            }
            let now = ContinuousClock.now
            let due = entries.filter { $0.due <= now }
            if due.isEmpty {
                let next = entries.map(\.due).min()!
                let wait = now.duration(to: next)
                _ = condition.wait(until: Date().addingTimeInterval(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18))
                continue
            }
            entries.removeAll { $0.due <= now }
            condition.unlock()
            due.forEach { $0.action() }
            condition.lock()
        }
        threadRunning = false
        condition.unlock()
    }
}
