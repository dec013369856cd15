import Foundation

/// A primary with a synchronous standby, lost and replaced as in a failover: commits wait for the
/// standby, the primary dies at once (`SIGKILL`, as a lost machine), and the standby is promoted.
extension LocalCluster {
    /// A libpq URL for `user` on `database` naming every cluster in `clusters` in turn, which
    /// connects to whichever of them accepts writes (`target_session_attrs=read-write`).
    public static func url(user: String, database: String = LocalCluster.databaseName, across clusters: [LocalCluster]) -> String {
        let hosts = clusters.map { $0.socketDirectory.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.socketDirectory.path }
        return "postgresql://\(user)@/\(database)?host=\(hosts.joined(separator: ","))"
            + "&port=\(clusters.map { String($0.port) }.joined(separator: ","))&target_session_attrs=read-write"
    }

    /// Makes every commit on this primary wait until a standby has flushed it
    /// (`synchronous_standby_names = '*'`, `synchronous_commit = on`), and returns once a standby
    /// streams synchronously. The settings are this cluster's alone: a standby copied before
    /// keeps its own, so that once promoted it does not wait for a standby it no longer has.
    public func requireSynchronousStandby(within seconds: Double = 60) throws {
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        try runner.run(tools.psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", superuserURL,
                                    "-c", "ALTER SYSTEM SET synchronous_standby_names = '*'",
                                    "-c", "ALTER SYSTEM SET synchronous_commit = on", "-c", "SELECT pg_reload_conf()"])
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let status = try runner.run(tools.psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", superuserURL, "-c", """
                DO $$ BEGIN
                    IF current_setting('synchronous_commit') <> 'on'
                       OR NOT EXISTS (SELECT FROM pg_stat_replication WHERE sync_state = 'sync') THEN
                        RAISE EXCEPTION 'no synchronous standby yet';
                    END IF;
                END $$
                """], allowFailure: true)
            if status == 0 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw LocalClusterError("no standby of \(directory.path) became synchronous within \(Int(seconds)) s")
    }

    /// Kills the cluster's postmaster and every process it started with `SIGKILL`, as the loss
    /// of its machine would: nothing is flushed, no connection is told, the socket stays behind.
    /// The pid file goes once they are gone, so that `stop()` afterwards finds nothing running
    /// (and signals no process that took the old pid).
    public func crash() throws {
        let pidFile = dataDirectory.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
              let postmaster = text.split(separator: "\n").first.flatMap({ pid_t($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw LocalClusterError("\(pidFile.path) names no running postmaster")
        }
        let children = Self.children(of: postmaster)
        kill(postmaster, SIGKILL)
        for child in children { kill(child, SIGKILL) }
        // Wait until they are gone, so that a caller's next step meets a dead server.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, ([postmaster] + children).contains(where: Self.isAlive) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        try? FileManager.default.removeItem(at: pidFile)
    }

    /// Promotes this standby to a primary (`pg_ctl promote`), returning once it accepts writes.
    public func promote() throws {
        let tools = try PostgresTools.locate()
        let runner = ProcessRunner(runAsPostgresUser: geteuid() == 0, logger: logger)
        try runner.run(tools.pgctl, ["-D", dataDirectory.path, "-w", "-t", "60", "promote"])
    }

    /// True while `pid` runs: a zombie nobody has reaped yet counts as gone.
    private static func isAlive(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("State:") }) else { return false }
        let state = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
        return !state.hasPrefix("Z") && !state.hasPrefix("X")
    }

    /// The processes whose parent is `parent`, read from `/proc`.
    private static func children(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                  let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("PPid:") }),
                  pid_t(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) == parent else { return nil }
            return pid
        }
    }
}
