/// One measure in one month: the target in force, the actual figure, and whether it was met
/// (nil without a target or without anything to measure).
public struct KPIAttainment: Sendable, Codable, Equatable {
    public var measure: KPIMeasure
    public var target: Double?
    public var actual: Double?
    public var met: Bool?
    /// How many the actual figure is over: surveyed, handled, due or received.
    public var basis: Int

    /// Sets `counts`' figure of `measure` against `target`. A figure equal to the target meets it.
    public init(_ measure: KPIMeasure, target: Double?, counts: KPICounts) {
        let (actual, basis) = counts.actual(measure)
        self.measure = measure
        self.target = target
        self.actual = actual
        self.basis = basis
        if let target, let actual {
            // Rates come as quotients of counts; a hair's breadth below a target equal to them is equal.
            let tolerance = 1e-9
            met = measure.higherIsBetter ? actual >= target - tolerance : actual <= target + tolerance
        } else {
            met = nil
        }
    }
}
