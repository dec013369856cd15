/// The prepared statements of one connection: a least-recently-used cache from statement key (SQL
/// text, plus the parameter types when one text is bound with several) to server-side name.
///
/// Names come from a counter that never goes back, so a statement prepared after an eviction or an
/// invalidation can never take the name of one still alive on the server. Evicted and invalidated
/// names are kept until the connection can send `DEALLOCATE` for them.
struct PGStatementCache {
    /// One prepared statement.
    struct Entry: Equatable {
        var name: String
        var types: [UInt32]
        var lastUse: UInt64
    }

    /// The most statements kept; at least 1.
    let capacity: Int
    private(set) var entries: [String: Entry] = [:]
    /// Names whose statements are still prepared on the server but no longer used.
    private(set) var pendingDeallocation: [String] = []
    /// True when every statement of the session should be dropped (`DEALLOCATE ALL`).
    private(set) var pendingDeallocateAll = false
    private var counter: UInt64 = 0
    private var clock: UInt64 = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { entries.count }

    /// The entry for `key`, marked as just used.
    mutating func lookup(_ key: String) -> Entry? {
        guard var entry = entries[key] else { return nil }
        clock += 1
        entry.lastUse = clock
        entries[key] = entry
        return entry
    }

    /// The entry for `key` without touching its age.
    func peek(_ key: String) -> Entry? { entries[key] }

    /// A fresh, never used name for a statement about to be prepared.
    mutating func nextName() -> String {
        counter += 1
        return "redress_\(counter)"
    }

    /// Records a statement the server prepared under `name`, evicting the least recently used one
    /// when the cache is full.
    mutating func insert(_ key: String, name: String, types: [UInt32]) {
        if let old = entries[key] { pendingDeallocation.append(old.name) }
        while entries.count >= capacity, entries[key] == nil,
              let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries[oldest.key] = nil
            pendingDeallocation.append(oldest.value.name)
        }
        clock += 1
        entries[key] = Entry(name: name, types: types, lastUse: clock)
    }

    /// Forgets every statement: the server's copies are stale (the schema changed) or gone.
    mutating func invalidateAll() {
        entries.removeAll()
        pendingDeallocation.removeAll()
        pendingDeallocateAll = true
    }

    /// The statement to send to free what is pending, if anything; clears the pending work.
    mutating func takeDeallocation() -> String? {
        if pendingDeallocateAll {
            pendingDeallocateAll = false
            pendingDeallocation.removeAll()
            return "DEALLOCATE ALL"
        }
        guard !pendingDeallocation.isEmpty else { return nil }
        defer { pendingDeallocation.removeAll() }
        return pendingDeallocation.map { "DEALLOCATE \($0)" }.joined(separator: "; ")
    }
}
