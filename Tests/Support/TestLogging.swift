import Foundation
import Logging

/// What the code under test logs during a test run: warnings and errors, unless
/// `REDRESS_TEST_LOG_LEVEL` names another level (`trace`, `debug`, `info`, `notice`, `warning`,
/// `error`, `critical`). At `info` the scheduler alone logs every escalation, tens of thousands of
/// lines a run, each written while the writing thread waits, and those threads serve every test
/// in the process.
public enum TestLogging {
    /// Sets the test process's log level; only the first call does anything.
    public static func bootstrap() { _ = bootstrapped }

    private static let bootstrapped: Void = {
        let named = ProcessInfo.processInfo.environment["REDRESS_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = named ?? .warning
            return handler
        }
    }()
}
