import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
@testable import RedressServer
import RedressStore
import RedressTestSupport
import Testing

/// Rate limits counted in PostgreSQL, so that several instances enforce one limit: two served
/// applications on one database (each with its own limiters, as two processes would have), and
/// two limiters on one database for the exchange's own rules.
@Suite("Rate limits shared by every instance")
struct SharedRateLimitTests {
    /// Waits, if needed, until the current minute has `seconds` left, so that a test's requests
    /// fall in one window.
    static func awaitRoomInTheMinute(_ seconds: Double = 20) async throws {
        let intoTheMinute = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
        if 60 - intoTheMinute < seconds { try await Task.sleep(for: .seconds(60 - intoTheMinute + 0.5)) }
    }

    /// One instance of the service on `pool`, with its own limiters.
    static func app(_ pool: PGPool, _ server: ServerConfiguration) throws -> some ApplicationProtocol {
        try RedressApplication.make(configuration: server, pool: pool,
                                store: StoreConfiguration(passwordHashCost: 4, sessionLifetime: .seconds(600)),
                                migrator: PGMigrator(migrations: try PGMigration.load(from: TestDatabase.sqlDirectory)),
                                logger: Logger(label: "test"))
    }

    @Test func twoInstancesEnforceOneSignInLimit() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 4, requestsPerMinute: 1_000_000)
        try await database.withPool(size: 4) { (first: PGPool) async throws in
            try await database.withPool(size: 4) { (second: PGPool) async throws in
                try await Self.app(first, server).test(.live) { one in
                    try await Self.app(second, server).test(.live) { two in
                        try await Self.awaitRoomInTheMinute()
                        let wrong = #"{"branch":"\#(org.a.code)","login":"agent","password":"not-the-password"}"#
                        // Four attempts from one address, alternating between the instances: each instance saw two.
                        for client in [one, two, one, two] as [any TestClientProtocol] {
                            #expect(try await client.call(.post, "/v1/auth/sign-in", body: wrong).status == .unauthorized)
                        }
                        let right = #"{"branch":"\#(org.a.code)","login":"agent","password":"\#(TestOrganisation.password)"}"#
                        for client in [one, two] as [any TestClientProtocol] {
                            let refused = try await client.call(.post, "/v1/auth/sign-in", body: right)
                            #expect(refused.status == .tooManyRequests, "the fifth attempt, on either instance, right password or not")
                            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
                        }
                    }
                }
            }
        }
    }

    @Test func anExchangeTellsEachInstanceTheOthersCounts() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            let counts = RateCountStore(pool: pool)
            let one = RateLimiter(name: "requests", limit: 5, sharing: counts, exchangeDelay: .seconds(3600))
            let two = RateLimiter(name: "requests", limit: 5, sharing: counts, exchangeDelay: .seconds(3600))
            try await Self.awaitRoomInTheMinute()
            #expect((0..<3).map { _ in one.admit("user:a") } == [nil, nil, nil])
            await one.exchange()
            #expect((0..<2).map { _ in two.admit("user:a") } == [nil, nil])
            await two.exchange()
            #expect(two.admit("user:a") != nil, "the sixth request of the minute, on the second instance")
            #expect(one.exhausted("user:a") == nil, "the first has not heard yet")
            await one.exchange()
            #expect(one.exhausted("user:a") != nil && one.admit("user:a") != nil, "and now it has")
            #expect(two.admit("user:b") == nil, "each key counts alone")
            await two.exchange()
            // Another limiter's name is another count.
            let other = RateLimiter(name: "phone_search", limit: 5, sharing: counts, exchangeDelay: .seconds(3600))
            #expect(await other.admitNow("user:a") == nil)
            // The database holds digests, never the keys.
            let stored: [String] = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT encode(key_digest, 'hex') FROM auth.rate_counts ORDER BY 1").map { try $0.decode(at: 0) }
            }
            #expect(Set(stored) == [RateLimiter.digest("user:a"), RateLimiter.digest("user:b")])
        }
    }

    @Test func theMinuteBeforeIsEveryInstancesToo() async throws {
        let database = try await TestDatabase.create()
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            let counts = RateCountStore(pool: pool)
            let one = RateLimiter(name: "sign_in", limit: 3, sharing: counts)
            let two = RateLimiter(name: "sign_in", limit: 3, sharing: counts)
            let minute = Double(RateLimiter.windowStart(Date(), .seconds(60)))
            for _ in 0..<3 {
                #expect(await one.admitNow("203.0.113.9", now: Date(timeIntervalSince1970: minute + 58)) == nil)
            }
            // Just past the boundary, on the other instance: the first instance's minute still weighs.
            #expect(await two.admitNow("203.0.113.9", now: Date(timeIntervalSince1970: minute + 61)) != nil)
            #expect(await two.admitNow("198.51.100.7", now: Date(timeIntervalSince1970: minute + 61)) == nil, "another address")
        }
    }

    @Test func withoutTheDatabaseEachInstanceStillCounts() async throws {
        let database = try await TestDatabase.create()
        let pool = database.pool(size: 1)
        await pool.shutdown()
        let limiter = RateLimiter(name: "sign_in", limit: 2, sharing: RateCountStore(pool: pool))
        try await Self.awaitRoomInTheMinute()
        #expect(await limiter.admitNow("10.0.0.1") == nil)
        #expect(await limiter.admitNow("10.0.0.1") == nil)
        #expect(await limiter.admitNow("10.0.0.1") != nil)
    }
}
