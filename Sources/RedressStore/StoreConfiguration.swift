/// How the store hashes passwords and how long sessions last.
public struct StoreConfiguration: Sendable {
    /// bcrypt cost factor (log2 of rounds), 4…31. Default 12.
    public var passwordHashCost: Int
    /// How long a session token works after sign-in. Default 12 hours.
    public var sessionLifetime: Duration

    /// Creates a configuration with the documented defaults.
    public init(passwordHashCost: Int = 12, sessionLifetime: Duration = .seconds(12 * 3600)) {
        self.passwordHashCost = passwordHashCost
        self.sessionLifetime = sessionLifetime
    }
}
