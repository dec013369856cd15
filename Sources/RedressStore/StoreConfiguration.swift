/// How the store hashes passwords, how long sessions last, and which keys protect personal data.
public struct StoreConfiguration: Sendable {
    /// bcrypt cost factor (log2 of rounds), 4…31. Default 12.
    public var passwordHashCost: Int
    /// How long a session token works after sign-in. Default 12 hours.
    public var sessionLifetime: Duration
    /// How far back an earlier complaint of the same customer and category makes a new one a
    /// repeat. Default 30 days.
    public var repeatWindow: Duration
    /// The keys that seal complainants' personal data and index their phone numbers.
    public var personalDataKeys: PersonalDataKeys
    /// How long one statement of a caller's transaction may run before PostgreSQL cancels it
    /// (`statement_timeout`, set per transaction). Default 30 seconds.
    public var statementTimeout: Duration
    /// How long a client waits after five failed sign-ins in a row at one login, doubling with each
    /// further failure up to 15 minutes. Default 1 second.
    public var signInFirstBlock: Duration
    /// Wrong access codes for one case number, within ``lookupLock``, after which lookups of that
    /// case number are refused until ``lookupLock`` has passed. Default 5.
    public var lookupFailuresBeforeLock = 5
    /// How long a case number stays locked after too many wrong access codes, and how long wrong
    /// codes are counted together. Default 15 minutes.
    public var lookupLock: Duration = .seconds(15 * 60)

    /// Creates a configuration with the documented defaults. Without `personalDataKeys`, fresh
    /// random keys are made: data sealed with them cannot be read by any later process, so every
    /// command that keeps data passes the configured keys.
    public init(passwordHashCost: Int = 12, sessionLifetime: Duration = .seconds(12 * 3600),
                repeatWindow: Duration = .seconds(30 * 86_400), personalDataKeys: PersonalDataKeys = .generate(),
                statementTimeout: Duration = .seconds(30), signInFirstBlock: Duration = .seconds(1)) {
        self.passwordHashCost = passwordHashCost
        self.sessionLifetime = sessionLifetime
        self.repeatWindow = repeatWindow
        self.personalDataKeys = personalDataKeys
        self.statementTimeout = statementTimeout
        self.signInFirstBlock = signInFirstBlock
    }

    /// The vault of ``personalDataKeys``.
    var vault: PersonalDataVault { PersonalDataVault(keys: personalDataKeys) }
}
