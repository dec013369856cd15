/// When a step of the scheduler's work (``EscalationScheduler/drain(until:)`` and the like) stops
/// taking batches.
public enum StepEnd: Sendable {
    /// At a batch that finds nothing: everything due is done, what fell due meanwhile too.
    case nothingDue
    /// After one batch, whatever it found: what is left waits for the next look.
    case oneBatch
}
