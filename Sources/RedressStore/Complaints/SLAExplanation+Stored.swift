import Foundation
import RedressCore

extension SLAExplanation {
    /// The explanation as `sla_deadlines` gives it back: `PGJSON` writes its times in ISO 8601
    /// without a fraction, so each is cut to the whole second before it. A statement that has
    /// just stored an explanation answers with this instead of decoding the column again.
    var asStored: SLAExplanation {
        var stored = self
        stored.milestones = milestones.mapValues(\.asStored)
        stored.tiers = tiers.mapValues(\.asStored)
        stored.additionalDeadlines = additionalDeadlines?.mapValues(\.asStored)
        return stored
    }
}

extension SLADeadline {
    /// The deadline with its times cut to the whole second (``SLAExplanation/asStored``).
    var asStored: SLADeadline {
        var stored = self
        stored.at = at.map(Self.wholeSecond)
        stored.from = Self.wholeSecond(from)
        stored.pauses = pauses.map { pause in
            var pause = pause
            pause.start = Self.wholeSecond(pause.start)
            pause.end = pause.end.map(Self.wholeSecond)
            return pause
        }
        return stored
    }

    /// `date` cut to the whole second before it; counted from 2001 as `Date` keeps it, whole
    /// seconds since 1970 being whole seconds since 2001 too.
    private static func wholeSecond(_ date: Date) -> Date {
        Date(timeIntervalSinceReferenceDate: date.timeIntervalSinceReferenceDate.rounded(.down))
    }
}
