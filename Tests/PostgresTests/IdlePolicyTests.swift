@testable import Postgres
import Testing

@Suite("Pool idle, lifetime and health-check decisions, without a database")
struct IdlePolicyTests {
    let start = ContinuousClock.now
    let policy = PGIdlePolicy(idleTimeout: .seconds(300), healthCheckInterval: .seconds(30), minimumIdle: 1)

    func times(returnedAgo: Int, checkedAgo: Int? = nil, retiresIn: Int? = nil, now: ContinuousClock.Instant) -> PGIdlePolicy.Times {
        PGIdlePolicy.Times(returned: now - .seconds(returnedAgo), checked: now - .seconds(checkedAgo ?? returnedAgo),
                           retireAt: retiresIn.map { now + .seconds($0) })
    }

    @Test func aHealthCheckDoesNotKeepAConnectionPastTheIdleTimeout() {
        let now = start + .seconds(10_000)
        // Both were checked a moment ago, but neither was used for ten minutes.
        let idle = [times(returnedAgo: 600, checkedAgo: 5, now: now), times(returnedAgo: 601, checkedAgo: 5, now: now)]
        #expect(policy.actions(for: idle, now: now) == [.keep, .close])
    }

    @Test func theMinimumIsKeptFromTheMostRecentlyUsed() {
        let now = start + .seconds(10_000)
        let idle = [times(returnedAgo: 900, now: now), times(returnedAgo: 400, checkedAgo: 10, now: now), times(returnedAgo: 800, now: now)]
        #expect(policy.actions(for: idle, now: now) == [.close, .keep, .close])
    }

    @Test func connectionsNotProvedAliveLatelyAreChecked() {
        let now = start + .seconds(10_000)
        let idle = [times(returnedAgo: 40, now: now), times(returnedAgo: 10, now: now)]
        #expect(policy.actions(for: idle, now: now) == [.check, .keep])
    }

    @Test func aConnectionPastItsLifetimeClosesEvenAsTheMinimum() {
        let now = start + .seconds(10_000)
        let idle = [times(returnedAgo: 1, retiresIn: -1, now: now), times(returnedAgo: 2, retiresIn: 60, now: now)]
        #expect(policy.actions(for: idle, now: now) == [.close, .keep])
    }

    @Test func lifetimesAreJitteredWithinTheirBounds() {
        let configuration = PGPoolConfiguration(connection: PGConnectionConfiguration("dbname=x"),
                                                maximumLifetime: .seconds(3600), lifetimeJitter: .seconds(300))
        #expect(configuration.lifetime(random: 0) == .seconds(3600))
        #expect(configuration.lifetime(random: 1) == .seconds(3300))
        #expect(configuration.lifetime(random: 0.5) == .seconds(3450))
        let forever = PGPoolConfiguration(connection: PGConnectionConfiguration("dbname=x"), maximumLifetime: nil)
        #expect(forever.lifetime(random: 0.3) == nil)
    }

    @Test func keepalivesAreOnByDefaultAndTheConnectionStringComesAfterTheDefaults() {
        let parameters = PGConnectionConfiguration("host=db").parameters
        let values = Dictionary(parameters, uniquingKeysWith: { $1 })
        #expect(values["keepalives"] == "1")
        #expect(values["keepalives_idle"] == "30")
        #expect(values["keepalives_interval"] == "10")
        #expect(values["keepalives_count"] == "3")
        #expect(values["tcp_user_timeout"] == "30000")
        // The connection string overrides every default; only the encoding the client reads and quotes in follows it.
        #expect(parameters.map(\.0).suffix(2) == ["dbname", "client_encoding"] && values["client_encoding"] == "UTF8")
    }
}
