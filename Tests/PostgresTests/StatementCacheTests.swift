@testable import Postgres
import Testing

@Suite("Prepared-statement cache, without a database")
struct StatementCacheTests {
    static func add(_ key: String, to cache: inout PGStatementCache) {
        let name = cache.nextName()
        cache.insert(key, name: name, types: [])
    }

    @Test func theLeastRecentlyUsedStatementIsEvictedAndDeallocated() {
        var cache = PGStatementCache(capacity: 2)
        Self.add("a", to: &cache)
        Self.add("b", to: &cache)
        _ = cache.lookup("a")
        Self.add("c", to: &cache)
        #expect(cache.count == 2)
        #expect(cache.peek("b") == nil)
        #expect(cache.peek("a")?.name == "redress_1")
        #expect(cache.takeDeallocation() == "DEALLOCATE redress_2")
        #expect(cache.takeDeallocation() == nil)
    }

    @Test func namesAreNeverReusedAfterAnInvalidation() {
        var cache = PGStatementCache(capacity: 10)
        var names: Set<String> = []
        for key in ["a", "b", "c"] {
            let name = cache.nextName()
            names.insert(name)
            cache.insert(key, name: name, types: [])
        }
        cache.invalidateAll()
        #expect(cache.count == 0)
        #expect(cache.takeDeallocation() == "DEALLOCATE ALL")
        for key in ["a", "b", "c"] {
            let name = cache.nextName()
            #expect(!names.contains(name))
            names.insert(name)
            cache.insert(key, name: name, types: [])
        }
        #expect(names.count == 6)
    }

    @Test func theCacheNeverExceedsItsCapacity() {
        var cache = PGStatementCache(capacity: 3)
        for index in 0..<50 {
            let name = cache.nextName()
            cache.insert("q\(index)", name: name, types: [])
        }
        #expect(cache.count == 3)
        #expect(Set(["q47", "q48", "q49"].compactMap { cache.peek($0)?.name }).count == 3)
    }
}
