/// An operator's command refused, naming the option at fault; nothing was changed.
public struct OperatorRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command-line option, e.g. `--code`.
    public var option: String
    /// What is wrong with its value.
    public var message: String

    /// Creates a refusal.
    public init(_ option: String, _ message: String) {
        self.option = option
        self.message = message
    }

    public var description: String { "\(option): \(message)" }
}
