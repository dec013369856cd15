import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import RedressServer
import RedressTestSupport
import Testing

@Suite("Rate limits")
struct RateLimitTests {
    @Test func aWindowAdmitsItsLimitThenSaysHowLongToWait() {
        let limiter = RateLimiter(limit: 3, window: .seconds(60))
        // Windows are whole minutes of the clock, the same on every instance.
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect((0..<3).map { _ in limiter.admit("a", now: start.addingTimeInterval(5)) } == [nil, nil, nil])
        // The fourth counts too; one more fits once the window's four weigh no more than two:
        // half-way through the next minute, 70 seconds on.
        #expect(limiter.admit("a", now: start.addingTimeInterval(20)) == 70)
        #expect(limiter.exhausted("a", now: start.addingTimeInterval(59.5)) == 31)
        #expect(limiter.admit("b", now: start.addingTimeInterval(20)) == nil, "each key counts alone")
        #expect(limiter.exhausted("a", now: start.addingTimeInterval(61)) != nil, "a burst just before a boundary still counts after it")
        #expect(limiter.admit("a", now: start.addingTimeInterval(90)) == nil, "the minute before weighs half")
        #expect(limiter.admit("a", now: start.addingTimeInterval(91)) != nil)
        #expect(limiter.admit("a", now: start.addingTimeInterval(200)) == nil, "two windows on, nothing weighs")
        #expect(RateLimiter.windowStart(start.addingTimeInterval(-0.5), .seconds(60)) == 1_800_000_000 - 60)
        let forward = RateLimiter(limit: 1, window: .seconds(60))
        #expect(forward.admit("k", now: start.addingTimeInterval(65)) == nil)
        #expect(forward.admit("k", now: start.addingTimeInterval(59)) != nil, "a late timestamp counts in the current window, never rolls it back")
    }

    @Test func signInsPerAddressAndRequestsPerCredentialAreLimited() async throws {
        try await APIHarness.run(server: ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 3, requestsPerMinute: 5)) { harness, client in
            let org = harness.organisation
            let token = try await client.signIn(org.a.code, "agent")
            for _ in 0..<2 {
                _ = try await client.call(.post, "/v1/auth/sign-in", body: #"{"branch":"nowhere","login":"x","password":"y"}"#)
            }
            let refused = try await client.call(.post, "/v1/auth/sign-in",
                                                body: #"{"branch":"\#(org.a.code)","login":"agent","password":"\#(TestOrganisation.password)"}"#)
            #expect(refused.status == .tooManyRequests, "the fourth attempt from one address in a minute, right password or not")
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)

            for _ in 0..<5 { #expect(try await client.call(.get, "/v1/me", token: token).status == .ok) }
            let limited = try await client.call(.get, "/v1/me", token: token)
            #expect(limited.status == .tooManyRequests && limited.json["type"] as? String == "https://redress.dev/problems/rate-limited")
            #expect(try await client.call(.get, "/v1/me", token: org.a.botKey).status == .ok, "another credential has its own count")
        }
    }
}
