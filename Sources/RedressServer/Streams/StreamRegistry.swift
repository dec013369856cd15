import NIOConcurrencyHelpers

/// Counts the open page streams of each credential in this process, so one stolen or careless
/// token cannot hold an unbounded number of connections (each one polls the database).
final class StreamRegistry: Sendable {
    /// Streams one credential may hold open at a time.
    let limit: Int
    private struct Entry {
        var id: Int
        /// Ends the stream, when it is to make room for a newer one.
        var end: (@Sendable () -> Void)?
    }
    private struct State {
        var nextID = 0
        var open: [String: [Entry]] = [:]
    }
    private let state = NIOLockedValueBox(State())

    /// A registry admitting `limit` concurrent streams per credential (at least one).
    init(limit: Int) { self.limit = max(1, limit) }

    /// A lease on one more stream of `credential`, released when the lease is dropped. When the
    /// credential already holds `limit`: nil, or with `replacingOldest` the oldest stream is told
    /// to end and the new one admitted (a browser leaving a page cannot close its stream, so the
    /// server learns of it only at the next write).
    func open(_ credential: String, replacingOldest: Bool = false) -> Lease? {
        var superseded: (@Sendable () -> Void)?
        let id = state.withLockedValue { state -> Int? in
            var entries = state.open[credential] ?? []
            if entries.count >= limit {
                guard replacingOldest else { return nil }
                superseded = entries.removeFirst().end
            }
            state.nextID += 1
            entries.append(Entry(id: state.nextID))
            state.open[credential] = entries
            return state.nextID
        }
        superseded?()
        return id.map { Lease(registry: self, credential: credential, id: $0) }
    }

    /// How many streams `credential` holds open now.
    func count(_ credential: String) -> Int { state.withLockedValue { $0.open[credential]?.count ?? 0 } }

    fileprivate func release(_ credential: String, id: Int) {
        state.withLockedValue { state in
            let remaining = (state.open[credential] ?? []).filter { $0.id != id }
            state.open[credential] = remaining.isEmpty ? nil : remaining
        }
    }

    /// Records how to end the stream of lease `id`; ends it at once when it was already replaced.
    fileprivate func onReplaced(_ credential: String, id: Int, _ end: @escaping @Sendable () -> Void) {
        let held = state.withLockedValue { state -> Bool in
            guard let index = state.open[credential]?.firstIndex(where: { $0.id == id }) else { return false }
            state.open[credential]?[index].end = end
            return true
        }
        if !held { end() }
    }

    /// One open stream; the count goes down when the last reference to it goes away.
    final class Lease: Sendable {
        let registry: StreamRegistry
        let credential: String
        let id: Int

        fileprivate init(registry: StreamRegistry, credential: String, id: Int) {
            self.registry = registry
            self.credential = credential
            self.id = id
        }

        /// Calls `end` when a newer stream of the credential replaces this one.
        func onReplaced(_ end: @escaping @Sendable () -> Void) { registry.onReplaced(credential, id: id, end) }

        deinit { registry.release(credential, id: id) }
    }
}
