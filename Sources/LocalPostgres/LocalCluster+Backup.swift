import Foundation

/// Backing up and restoring a local cluster as an operator would: a WAL archive, a base backup
/// (`pg_basebackup`), and a new cluster recovered from the two to the end of the archive.
extension LocalCluster {
    /// Copies every finished WAL segment into `archive` from now on (`archive_mode`, which takes a
    /// restart), and returns once the setting is live. The archive's path goes into the server's
    /// configuration as it is: no spaces or quotes.
    public func archiveWAL(to archive: URL) throws {
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        try runner.prepareOwnership(of: archive)
        try appendSettings(["archive_mode = on", "archive_command = 'test ! -f \(archive.path)/%f && cp %p \(archive.path)/%f'"])
        try restart()
    }

    /// Closes the current WAL segment so that the archive holds everything committed so far.
    public func switchWAL() throws {
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        try runner.run(tools.psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", superuserURL, "-c", "SELECT pg_switch_wal()",
                                    "-c", "CHECKPOINT"])
    }

    /// Takes a base backup of the running cluster into `backup` (a new folder), with the WAL it
    /// needs to be consistent.
    public func baseBackup(to backup: URL) throws {
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        try FileManager.default.createDirectory(at: backup.deletingLastPathComponent(), withIntermediateDirectories: true)
        try runner.prepareOwnership(of: backup.deletingLastPathComponent())
        try runner.run(tools.pgBaseBackup, ["-d", superuserURL, "-D", backup.path, "-X", "fetch", "-c", "fast", "--no-sync"])
    }

    /// A new cluster in `directory`, listening on `port`, recovered from the base backup
    /// `backup` and then from `archive` to its end; returns once recovery has finished and the
    /// cluster accepts writes.
    public static func restore(backup: URL, archive: URL, into directory: URL, port: Int, fastUnsafe: Bool = false) throws -> LocalCluster {
        let cluster = LocalCluster(directory: directory, port: port, fastUnsafe: fastUnsafe)
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: cluster.logger)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: cluster.socketDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: backup, to: cluster.dataDirectory)
        try? FileManager.default.removeItem(at: cluster.dataDirectory.appendingPathComponent("postmaster.pid"))
        try Data().write(to: cluster.dataDirectory.appendingPathComponent("recovery.signal"))
        try runner.prepareOwnership(of: directory)
        try cluster.startCopy(["restore_command = 'cp \(archive.path)/%f %p'", "recovery_target_action = 'promote'"])
        // Recovery replays the archive, then promotes; wait until the cluster takes writes.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let status = try runner.run(tools.psql, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", cluster.superuserURL, "-c",
                                                     "DO $$ BEGIN IF pg_is_in_recovery() THEN RAISE EXCEPTION 'recovering'; END IF; END $$"],
                                        allowFailure: true)
            if status == 0 { return cluster }
            Thread.sleep(forTimeInterval: 0.2)
        }
        try? cluster.stop()
        throw LocalClusterError("the restored cluster in \(directory.path) did not finish recovery; see \(cluster.logFile.path)")
    }

    /// A streaming standby of this running cluster in `directory`, listening on `port`: a base
    /// backup with `-R` (`standby.signal` and `primary_conninfo`), started and replaying.
    public func standby(into directory: URL, port: Int) throws -> LocalCluster {
        let standby = LocalCluster(directory: directory, port: port, fastUnsafe: fastUnsafe)
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        try FileManager.default.createDirectory(at: standby.socketDirectory, withIntermediateDirectories: true)
        try runner.prepareOwnership(of: directory)
        try runner.run(tools.pgBaseBackup, ["-d", superuserURL, "-D", standby.dataDirectory.path, "-X", "stream", "-R", "-c", "fast",
                                            "--no-sync"])
        try standby.startCopy([])
        return standby
    }

    /// Starts this cluster from a copy of another's data folder: its own port and sockets, no
    /// archiving, and `settings` besides.
    private func startCopy(_ settings: [String]) throws {
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        try appendSettings(["port = \(port)", "unix_socket_directories = '\(socketDirectory.path)'", "archive_mode = off"] + settings)
        try runner.run("/bin/chmod", ["0700", dataDirectory.path])
        try runner.run(tools.pgctl, ["-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "120", "start"])
    }

    /// Appends settings to the cluster's `postgresql.auto.conf` (later lines win).
    func appendSettings(_ settings: [String]) throws {
        let file = dataDirectory.appendingPathComponent("postgresql.auto.conf")
        let existing = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        try (existing + settings.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        try ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger).prepareOwnership(of: dataDirectory)
    }
}
