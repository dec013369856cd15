import Foundation
import Postgres

/// Processor time, in seconds, that this process and a PostgreSQL server on this machine spent,
/// read from `/proc` (Linux): what each side of a comparison cost, beside how fast it went.
struct ProcessorTime {
    /// The server's postmaster.
    let postmaster: Int32
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// The server behind `pool`, found as the parent of the backend serving it; nil when that
    /// backend is not a `postgres` process of this machine (a server elsewhere).
    static func server(behind pool: PGPool) async throws -> ProcessorTime? {
        let backend: Int32 = try await pool.query("SELECT pg_backend_pid()")[0].decode(at: 0)
        guard let stat = Stat(pid: backend), stat.command == "postgres",
              let parent = Stat(pid: stat.parent), parent.command == "postgres" else { return nil }
        return ProcessorTime(postmaster: stat.parent)
    }

    /// Seconds the server spent: its postmaster's, its live processes' and those of the ones that
    /// ended (the postmaster counts a process it reaped into its children's time).
    func serverSeconds() -> Double {
        guard let main = Stat(pid: postmaster) else { return 0 }
        var ticks = main.ownTicks + main.reapedTicks
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let stat = Stat(pid: pid), stat.parent == postmaster else { continue }
            ticks += stat.ownTicks
        }
        return Double(ticks) / Self.ticksPerSecond
    }

    /// `body`'s result, with the seconds the server (nil when it is not on this machine) and this
    /// process spent while it ran.
    static func spent<T>(by server: ProcessorTime?, _ body: () async throws -> T) async throws
        -> (result: T, server: Double?, process: Double) {
        let (serverBefore, processBefore) = (server?.serverSeconds(), currentSeconds())
        let result = try await body()
        let serverSpent = server.flatMap { time in serverBefore.map { time.serverSeconds() - $0 } }
        return (result, serverSpent, currentSeconds() - processBefore)
    }

    /// Seconds this process spent, all its threads.
    static func currentSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The fields of `/proc/<pid>/stat` used here.
    struct Stat {
        var command: String
        var parent: Int32
        /// User and system ticks of the process itself.
        var ownTicks: Int
        /// User and system ticks of its children that ended and were waited for.
        var reapedTicks: Int

        init?(pid: Int32) {
            // The command is in parentheses and may itself hold spaces or parentheses: the fields
            // after it are counted from the last `)`.
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
            let fields = text[text.index(after: close)...].split(separator: " ")
            // fields[0] is the state (field 3 of proc(5)); utime, stime, cutime and cstime are 14 to 17.
            guard fields.count > 14, let parent = Int32(fields[1]),
                  let user = Int(fields[11]), let system = Int(fields[12]),
                  let childrenUser = Int(fields[13]), let childrenSystem = Int(fields[14]) else { return nil }
            command = String(text[text.index(after: open)..<close])
            self.parent = parent
            ownTicks = user + system
            reapedTicks = childrenUser + childrenSystem
        }
    }
}
