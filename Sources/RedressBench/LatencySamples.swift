/// Latencies of repeated runs of one operation, in milliseconds.
struct LatencySamples {
    private(set) var milliseconds: [Double] = []
    /// The sum of every recorded duration.
    private(set) var total: Duration = .zero

    /// Times `operation` and records its duration.
    @discardableResult
    mutating func measure<R>(_ operation: () async throws -> R) async rethrows -> R {
        let start = ContinuousClock.now
        let result = try await operation()
        record(ContinuousClock.now - start)
        return result
    }

    /// Records one duration.
    mutating func record(_ duration: Duration) {
        total += duration
        milliseconds.append(Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    /// Adds another set's samples.
    mutating func merge(_ other: LatencySamples) {
        milliseconds += other.milliseconds
        total += other.total
    }

    /// The value below which `fraction` of the samples fall (nearest rank).
    func percentile(_ fraction: Double) -> Double {
        let sorted = milliseconds.sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[max(0, min(sorted.count - 1, rank))]
    }
}
