import Foundation

/// A loopback TCP proxy to the test cluster's Unix socket that can stop answering: while black
/// holed it accepts and keeps connections but passes no byte either way, as a network partition
/// does. Restoring it drops the connections it held, as a partition that lasted too long does.
final class BlackHoleProxy: @unchecked Sendable {
    /// The loopback port clients connect to.
    let port: Int
    private let listener: Int32
    private let target: String
    private let lock = NSLock()
    private var holding = false
    private var stopped = false
    private var held: [Int32] = []
    private var open: [Int32] = []

    /// Starts a proxy to the PostgreSQL server whose URL (`postgresql://user@/db?host=DIR&port=N`) is given.
    init(to url: String) throws {
        let query = URLComponents(string: url)?.queryItems ?? []
        guard let directory = query.first(where: { $0.name == "host" })?.value,
              let serverPort = query.first(where: { $0.name == "port" })?.value else { throw ProxyError("no host and port in \(url)") }
        target = "\(directory)/.s.PGSQL.\(serverPort)"
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 64) == 0 else { throw ProxyError("cannot listen") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The URL of `database` as `user` through this proxy.
    func url(user: String, database: String) -> String {
        "postgresql://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable&gssencmode=disable"
    }

    /// Stops passing bytes; new connections are accepted and held silent.
    func blackHole() { lock.withLock { holding = true } }

    /// Passes bytes again; the connections held through the partition are dropped.
    func restore() {
        let dropped = lock.withLock { () -> [Int32] in
            holding = false
            defer { held.removeAll(); open.removeAll() }
            return held + open
        }
        dropped.forEach { shutdown($0, Int32(SHUT_RDWR)) }
    }

    /// Stops the proxy and drops every connection.
    func stop() {
        let sockets = lock.withLock { () -> [Int32] in
            stopped = true
            defer { held.removeAll(); open.removeAll() }
            return held + open
        }
        sockets.forEach { shutdown($0, Int32(SHUT_RDWR)) }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var isHolding: Bool { lock.withLock { holding } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            let (stop, hold) = lock.withLock { (stopped, holding) }
            if stop { close(client); return }
            if hold {
                lock.withLock { held.append(client) }
                continue
            }
            let server = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in target.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { close(client); close(server); continue }
            lock.withLock { open += [client, server] }
            for (from, to) in [(client, server), (server, client)] {
                let thread = Thread { [self] in pump(from: from, to: to) }
                thread.start()
            }
        }
    }

    private func pump(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        defer { shutdown(to, Int32(SHUT_RDWR)) }
        while true {
            if isHolding {
                usleep(20_000)
                continue
            }
            var descriptor = pollfd(fd: from, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 50)
            if ready < 0 { return }
            if ready == 0 || isHolding { continue }
            let count = read(from, &buffer, buffer.count)
            if count <= 0 { return }
            var sent = 0
            while sent < count {
                // Not `write`: a peer already gone would raise SIGPIPE and end the whole test process.
                let written = buffer[sent..<count].withUnsafeBytes { send(to, $0.baseAddress, count - sent, Int32(MSG_NOSIGNAL)) }
                if written <= 0 { return }
                sent += written
            }
        }
    }
}

struct ProxyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
