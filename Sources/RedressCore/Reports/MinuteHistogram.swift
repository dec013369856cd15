/// Durations counted in whole minutes at three levels of detail, as reports keep the times to
/// first reply and to result (`sql/0072_…`): level 0 counts buckets of 4,096 minutes, level 1 of
/// 64 minutes, level 2 single minutes. A percentile is found from the top: the level-0 bucket that
/// holds the wanted rank, then the level-1 bucket within it, then the minute, so that each level
/// reads at most 64 buckets per month and branch.
///
/// A value is taken as the middle of its minute, so a percentile interpolated between two values
/// (as PostgreSQL's `percentile_cont` does) is within 30 seconds of the exact one.
public enum MinuteHistogram {
    /// The deepest level: single minutes.
    public static let finestLevel = 2
    /// How many buckets of the next level one bucket holds.
    public static let fanOut: Int64 = 64

    /// The two ranks (0-based, ascending) `percentile_cont(fraction)` interpolates between over
    /// `count` values, and the weight of the upper one; nil when there are no values.
    public static func interpolation(_ fraction: Double, of count: Int) -> (lower: Int, upper: Int, weight: Double)? {
        guard count > 0 else { return nil }
        let position = fraction * Double(count - 1)
        let lower = Int(position.rounded(.down))
        return (lower, min(lower + 1, count - 1), position - Double(lower))
    }

    /// The bucket of `counts` (bucket → values in it) holding the value of `rank` (0-based, in
    /// ascending order), and that value's rank among the bucket's own; nil when `rank` is beyond them.
    public static func locate(_ rank: Int, in counts: [Int64: Int]) -> (bucket: Int64, rank: Int)? {
        var before = 0
        for bucket in counts.keys.sorted() {
            let inBucket = counts[bucket] ?? 0
            guard inBucket > 0 else { continue }
            if rank < before + inBucket { return (bucket, rank - before) }
            before += inBucket
        }
        return nil
    }

    /// The buckets one level down that `bucket` holds.
    public static func children(of bucket: Int64) -> ClosedRange<Int64> {
        (bucket * fanOut)...(bucket * fanOut + fanOut - 1)
    }

    /// A minute's value in seconds: the middle of the minute.
    public static func seconds(ofMinute minute: Int64) -> Double {
        Double(minute) * 60 + 30
    }

    /// The minute (rounded down, as the counts keep it) of a duration in seconds.
    public static func minute(ofSeconds seconds: Double) -> Int64 {
        Int64((seconds / 60).rounded(.down))
    }

    /// The bucket at `level` holding `minute`.
    public static func bucket(ofMinute minute: Int64, level: Int) -> Int64 {
        minute >> Int64(6 * (finestLevel - level))
    }
}
