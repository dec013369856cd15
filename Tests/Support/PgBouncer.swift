import Foundation
import LocalPostgres

/// A real PgBouncer (Debian's `pgbouncer`) in transaction pooling mode in front of the test
/// cluster, on a free loopback port, with few server connections so that callers share them.
public struct PgBouncer: Sendable {
    /// The port it listens on.
    public let port: Int
    let directory: URL
    let pid: pid_t

    /// The executable, when installed.
    public static var executable: String? {
        ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts PgBouncer in front of the cluster `database` lives in, with `serverConnections`
    /// server connections per database and role.
    public static func start(for database: TestDatabase, serverConnections: Int = 2) async throws -> PgBouncer {
        guard let executable else { throw PgBouncerError("pgbouncer is not installed (scripts/ensure-deps installs it)") }
        let query = URLComponents(string: database.serviceURL)?.queryItems ?? []
        guard let socket = query.first(where: { $0.name == "host" })?.value, let serverPort = query.first(where: { $0.name == "port" })?.value
        else { throw PgBouncerError("cannot read the cluster's socket from \(database.serviceURL)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgbouncer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o777)
        let port = try freePort()
        try """
            [databases]
            * = host=\(socket) port=\(serverPort)

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = trust
            auth_file = \(directory.path)/users.txt
            pool_mode = transaction
            default_pool_size = \(serverConnections)
            max_client_conn = 200
            logfile = \(directory.path)/pgbouncer.log
            pidfile = \(directory.path)/pgbouncer.pid
            """.write(to: directory.appendingPathComponent("pgbouncer.ini"), atomically: true, encoding: .utf8)
        try "\"redress_service\" \"\"\n\"redress_owner\" \"\"\n".write(to: directory.appendingPathComponent("users.txt"),
                                                                      atomically: true, encoding: .utf8)
        for file in ["pgbouncer.ini", "users.txt"] { chmod(directory.appendingPathComponent(file).path, 0o644) }
        // PgBouncer refuses to run as root; the cluster's own system user runs it then.
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] : [executable]
        let pid = try Subprocess.spawn(command + [directory.appendingPathComponent("pgbouncer.ini").path],
                                       outputPath: directory.appendingPathComponent("stdout.log").path)
        let bouncer = PgBouncer(port: port, directory: directory, pid: pid)
        try await bouncer.waitUntilListening()
        return bouncer
    }

    /// The connection string of `database`'s service role through PgBouncer.
    public func serviceURL(_ database: TestDatabase) -> String {
        "postgresql://redress_service@127.0.0.1:\(port)/\(database.name)"
    }

    /// Stops PgBouncer and removes its files.
    public func stop() {
        kill(pid, SIGTERM)
        _ = try? Subprocess.wait(pid)
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitUntilListening() async throws {
        for _ in 0..<100 {
            if Self.accepts(port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("stdout.log"), encoding: .utf8)) ?? ""
        stop()
        throw PgBouncerError("pgbouncer did not start: \(log)")
    }

    static func accepts(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A TCP port on loopback that nothing listens on now.
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw PgBouncerError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// PgBouncer could not be started.
public struct PgBouncerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
