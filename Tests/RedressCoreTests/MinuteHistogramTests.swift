import Foundation
import RedressCore
import Testing

/// Percentiles found level by level in minute histograms, against `percentile_cont` computed
/// directly over the exact durations.
@Suite("Minute histograms")
struct MinuteHistogramTests {
    /// `percentile_cont` over sorted values, as PostgreSQL computes it.
    static func percentile(_ fraction: Double, _ sorted: [Double]) -> Double {
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    /// The percentile from the three levels of counts of `seconds`, narrowing as the report does.
    static func fromHistograms(_ fraction: Double, _ seconds: [Double]) -> Double? {
        let minutes = seconds.map(MinuteHistogram.minute(ofSeconds:))
        func counts(_ level: Int, within parent: Int64?) -> [Int64: Int] {
            var counts: [Int64: Int] = [:]
            for minute in minutes {
                let bucket = MinuteHistogram.bucket(ofMinute: minute, level: level)
                if let parent, !MinuteHistogram.children(of: parent).contains(bucket) { continue }
                counts[bucket, default: 0] += 1
            }
            return counts
        }
        guard let ranks = MinuteHistogram.interpolation(fraction, of: seconds.count) else { return nil }
        var values: [Double] = []
        for rank in [ranks.lower, ranks.upper] {
            guard var found = MinuteHistogram.locate(rank, in: counts(0, within: nil)) else { return nil }
            for level in 1...MinuteHistogram.finestLevel {
                guard let next = MinuteHistogram.locate(found.rank, in: counts(level, within: found.bucket)) else { return nil }
                found = next
            }
            values.append(MinuteHistogram.seconds(ofMinute: found.bucket))
        }
        return values[0] + ranks.weight * (values[1] - values[0])
    }

    @Test func percentilesAreWithinHalfAMinuteOfTheExactOnes() {
        var random = SystemRandomNumberGenerator()
        for trial in 0..<200 {
            let count = [1, 2, 3, 10, 97, 1000][trial % 6]
            let spread: Double = [90, 3600, 86_400 * 3, 86_400 * 40][trial % 4]
            // Some durations negative (a milestone stamped before the receipt), most not.
            let seconds = (0..<count).map { _ in Double.random(in: -120...spread, using: &random).rounded(.down) + 0.25 }
            for fraction in [0.0, 0.5, 0.9, 1.0] {
                let exact = Self.percentile(fraction, seconds.sorted())
                let found = Self.fromHistograms(fraction, seconds)
                #expect(found.map { abs($0 - exact) <= 30 } == true, "\(count) values over \(spread) s, p\(fraction): \(String(describing: found)) against \(exact)")
            }
        }
    }

    @Test func ranksAreLocatedInTheirBuckets() {
        let counts: [Int64: Int] = [-1: 2, 5: 0, 7: 3, 100: 1]
        #expect(MinuteHistogram.locate(0, in: counts)! == (-1, 0))
        #expect(MinuteHistogram.locate(1, in: counts)! == (-1, 1))
        #expect(MinuteHistogram.locate(2, in: counts)! == (7, 0))
        #expect(MinuteHistogram.locate(5, in: counts)! == (100, 0))
        #expect(MinuteHistogram.locate(6, in: counts) == nil)
        #expect(MinuteHistogram.interpolation(0.5, of: 0) == nil)
        #expect(MinuteHistogram.interpolation(0.9, of: 11)! == (9, 10, 0))
        #expect(MinuteHistogram.bucket(ofMinute: -1, level: 0) == -1 && MinuteHistogram.children(of: -1) == -64 ... -1)
        #expect(MinuteHistogram.minute(ofSeconds: -0.5) == -1 && MinuteHistogram.minute(ofSeconds: 119.9) == 1)
    }
}
