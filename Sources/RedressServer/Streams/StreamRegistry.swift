import NIOConcurrencyHelpers

/// Counts the open page streams of each credential in this process, so one stolen or careless
/// token cannot hold an unbounded number of connections (each one polls the database).
final class StreamRegistry: Sendable {
    /// Streams one credential may hold open at a time.
    let limit: Int
    private let open = NIOLockedValueBox<[String: Int]>([:])

    /// A registry admitting `limit` concurrent streams per credential.
    init(limit: Int) { self.limit = limit }

    /// A lease on one more stream of `credential`, released when the lease is dropped; nil when
    /// the credential already holds `limit`.
    func open(_ credential: String) -> Lease? {
        let admitted = open.withLockedValue { open -> Bool in
            guard open[credential, default: 0] < limit else { return false }
            open[credential, default: 0] += 1
            return true
        }
        return admitted ? Lease(registry: self, credential: credential) : nil
    }

    /// How many streams `credential` holds open now.
    func count(_ credential: String) -> Int { open.withLockedValue { $0[credential] ?? 0 } }

    fileprivate func release(_ credential: String) {
        open.withLockedValue { open in
            let remaining = (open[credential] ?? 1) - 1
            open[credential] = remaining > 0 ? remaining : nil
        }
    }

    /// One open stream; the count goes down when the last reference to it goes away.
    final class Lease: Sendable {
        let registry: StreamRegistry
        let credential: String

        fileprivate init(registry: StreamRegistry, credential: String) {
            self.registry = registry
            self.credential = credential
        }

        deinit { registry.release(credential) }
    }
}
