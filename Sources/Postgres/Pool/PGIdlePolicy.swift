/// Decides, from times alone, what happens to each idle connection at a health check: kept,
/// checked with a round trip, or closed. Pure, so it is tested without a database.
struct PGIdlePolicy: Sendable {
    /// What happens to one idle connection.
    enum Action: Equatable {
        case keep
        case check
        case close
    }

    /// When an idle connection was returned, last proved alive, and is due to retire.
    struct Times: Equatable {
        var returned: ContinuousClock.Instant
        var checked: ContinuousClock.Instant
        var retireAt: ContinuousClock.Instant?
    }

    /// Idle connections beyond `minimumIdle` close after this long unused.
    var idleTimeout: Duration
    /// A connection not proved alive for this long is checked.
    var healthCheckInterval: Duration
    /// Idle connections kept however long they idle (unless past their lifetime).
    var minimumIdle: Int

    /// One action per connection, in the order given. The most recently returned connections are
    /// the ones kept as the minimum; a check never counts as use, so it never keeps a connection
    /// past the idle timeout.
    func actions(for idle: [Times], now: ContinuousClock.Instant) -> [Action] {
        var actions = [Action](repeating: .keep, count: idle.count)
        var kept = 0
        for index in idle.indices.sorted(by: { idle[$0].returned > idle[$1].returned }) {
            let times = idle[index]
            if let retireAt = times.retireAt, retireAt <= now {
                actions[index] = .close
            } else if now - times.returned > idleTimeout && kept >= minimumIdle {
                actions[index] = .close
            } else {
                kept += 1
                actions[index] = now - times.checked > healthCheckInterval ? .check : .keep
            }
        }
        return actions
    }
}
