/// How the store hashes passwords and how long sessions last.
public struct StoreConfiguration: Sendable {
    /// bcrypt cost factor (log2 of rounds), 4…31. Default 12.
    public var passwordHashCost: Int
    /// How long a session token works after sign-in. Default 12 hours.
    public var sessionLifetime: Duration
    /// How far back an earlier complaint of the same customer and category makes a new one a
    /// repeat. Default 30 days.
    public var repeatWindow: Duration

    /// Creates a configuration with the documented defaults.
    public init(passwordHashCost: Int = 12, sessionLifetime: Duration = .seconds(12 * 3600),
                repeatWindow: Duration = .seconds(30 * 86_400)) {
        self.passwordHashCost = passwordHashCost
        self.sessionLifetime = sessionLifetime
        self.repeatWindow = repeatWindow
    }
}
