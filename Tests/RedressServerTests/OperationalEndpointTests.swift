import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import RedressCore
@testable import RedressServer
import RedressStore
import RedressTestSupport
import Testing

@Suite("Operational endpoints and token guessing")
struct OperationalEndpointTests {
    /// A stranger asks the API port for metrics: nothing there unless the operator set a token,
    /// and then only for that token.
    @Test func metricsAreNotOnThePublicPortWithoutTheToken() async throws {
        try await APIHarness.run { _, client in
            let response = try await client.call(.get, "/metrics")
            #expect(response.status == .notFound)
        }
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.metricsToken = "the-operators-metrics-token"
        try await APIHarness.run(server: server) { _, client in
            #expect(try await client.call(.get, "/metrics").status == .unauthorized)
            #expect(try await client.call(.get, "/metrics", token: "a-guess").status == .unauthorized)
            let scraped = try await client.call(.get, "/metrics", token: "the-operators-metrics-token")
            #expect(scraped.status == .ok && String(decoding: scraped.body, as: UTF8.self).contains("redress_pool_connections"))
        }
    }

    /// A client guessing tokens is stopped after its failures, before further guesses (even a
    /// valid token) cost a database lookup; other clients are unaffected.
    @Test func failedTokenResolutionsAreLimitedPerAddressBeforeTheLookup() async throws {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.tokenFailuresPerMinute = 5
        server.trustedProxies = [IPNetwork("127.0.0.1")!]
        try await APIHarness.run(server: server) { harness, client in
            let guesser = ["X-Forwarded-For": "203.0.113.50"]
            for _ in 0..<5 {
                let guess = "rds_" + CredentialSecretShape.random43()
                #expect(try await client.call(.get, "/v1/me", token: guess, headers: guesser).status == .unauthorized)
            }
            let stopped = try await client.call(.get, "/v1/me", token: harness.organisation.a.botKey, headers: guesser)
            #expect(stopped.status == .tooManyRequests && stopped.headers[.retryAfter] != nil, "no lookup, not even for a valid token")
            #expect(try await client.call(.get, "/v1/me", token: harness.organisation.a.botKey,
                                          headers: ["X-Forwarded-For": "198.51.100.4"]).status == .ok, "another address is unaffected")
        }
    }

    /// A flood of readiness probes asks the database once per second at most.
    @Test func readinessIsCheckedOncePerIntervalForConcurrentCallers() async throws {
        let checks = NIOLockedValueBox(0)
        let cache = ReadinessCache(maxAge: .seconds(1)) {
            checks.withLockedValue { $0 += 1 }
            try? await Task.sleep(for: .milliseconds(100))
            return ReadinessProbe.Report(status: "ready", database: "ok", migrations: "current")
        }
        await withTaskGroup(of: ReadinessProbe.Report.self) { group in
            for _ in 0..<200 { group.addTask { await cache.report() } }
            for await report in group { #expect(report.isReady) }
        }
        #expect(checks.withLockedValue { $0 } == 1, "two hundred concurrent probes, one check")
        try await Task.sleep(for: .milliseconds(1100))
        _ = await cache.report()
        #expect(checks.withLockedValue { $0 } == 2, "a stale answer is checked again")
    }

    @Test func readinessOverHTTPAnswersAFloodOfProbes() async throws {
        try await APIHarness.run { _, client in
            let port = try #require(client.port)
            // 100 probes share the client's few connections per host; on a loaded machine one can
            // wait longer than the default 10 s for a connection, which says nothing about the server.
            let http = HTTPClient(eventLoopGroupProvider: .singleton,
                                  configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(120))))
            do {
                try await withThrowingTaskGroup(of: UInt.self) { group in
                    for _ in 0..<100 {
                        group.addTask {
                            let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(60))
                            _ = try await response.body.collect(upTo: 1 << 16)
                            return response.status.code
                        }
                    }
                    for try await status in group { #expect(status == 200) }
                }
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }
}

/// Random tokens of the shape the server accepts, so a guess reaches the lookup.
enum CredentialSecretShape {
    static func random43() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<43).map { _ in alphabet.randomElement()! })
    }
}
