import Foundation
import LocalPostgres
import Postgres
import RedressTestSupport
import Testing

/// TLS to PostgreSQL with `sslmode=verify-full`: a certificate authority made here signs the
/// server's certificate for `localhost`; the client trusts only that authority. Connecting by the
/// certified name works and is encrypted; another authority, or a name the certificate does not
/// carry, is refused before anything is sent.
@Suite("TLS to PostgreSQL with verify-full", .serialized)
struct TLSTests {
    /// Runs `openssl` with `arguments`, in which `@name` stands for the file `name` in `directory`.
    static func openssl(_ arguments: [String], in directory: URL) async throws {
        let resolved = arguments.map { $0.hasPrefix("@") ? directory.appendingPathComponent(String($0.dropFirst())).path : $0 }
        let (status, output) = try await Subprocess.run(["/usr/bin/env", "openssl"] + resolved)
        guard status == 0 else { throw PGError(.connectionFailed, message: "openssl \(arguments.first ?? ""): \(output)") }
    }

    /// A certificate authority (`<name>.crt`, `<name>.key`).
    static func authority(_ name: String, in directory: URL) async throws {
        try await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Redress test CA \(name)",
                     "-keyout", "@\(name).key", "-out", "@\(name).crt"], in: directory)
    }

    @Test func verifyFullAcceptsTheCertifiedNameAndRefusesEverythingElse() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("redress-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.authority("ca", in: directory)
        try await Self.authority("other", in: directory)
        try await Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "@server.key", "-out", "@server.csr"],
                         in: directory)
        try "subjectAltName=DNS:localhost\n".write(to: directory.appendingPathComponent("san.ext"), atomically: true, encoding: .utf8)
        try await Self.openssl(["x509", "-req", "-in", "@server.csr", "-CA", "@ca.crt", "-CAkey", "@ca.key", "-CAcreateserial", "-days", "2",
                          "-extfile", "@san.ext", "-out", "@server.crt"], in: directory)

        let port = try PgBouncer.freePort()
        let cluster = LocalCluster(directory: directory.appendingPathComponent("pg"), port: port, fastUnsafe: true)
        try await OwnThread.run { try cluster.start() }
        defer { try? cluster.stop() }
        let data = cluster.dataDirectory
        for file in ["server.crt", "server.key"] {
            try FileManager.default.copyItem(at: directory.appendingPathComponent(file), to: data.appendingPathComponent(file))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: data.appendingPathComponent("server.key").path)
        let settings = "listen_addresses = 'localhost'\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
        let auto = data.appendingPathComponent("postgresql.auto.conf")
        try (String(contentsOf: auto, encoding: .utf8) + settings).write(to: auto, atomically: true, encoding: .utf8)
        try "hostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\nlocal all all trust\n"
            .write(to: data.appendingPathComponent("pg_hba.conf"), atomically: true, encoding: .utf8)
        try await OwnThread.run { try cluster.stop() }
        try await OwnThread.run { try cluster.start() }   // fixes ownership, then starts with TLS on the new port

        func url(host: String, authority: String) -> String {
            "postgresql://\(LocalCluster.ownerRole)@\(host):\(port)/\(LocalCluster.databaseName)?sslmode=verify-full&sslrootcert="
                + directory.appendingPathComponent("\(authority).crt").path
        }
        let connection = try await PGConnection.connect(PGConnectionConfiguration(url(host: "localhost", authority: "ca")))
        let row = try await connection.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")[0]
        #expect(try row.decode(Bool.self, at: 0), "the session is encrypted")
        #expect(try row.decode(String.self, at: 1).hasPrefix("TLSv1."))
        connection.close()

        for (host, authority, why) in [("localhost", "other", "a server certificate from another authority"),
                                       ("127.0.0.1", "ca", "a name the certificate does not carry")] {
            let error = await #expect(throws: PGError.self, "\(why) is refused") {
                try await PGConnection.connect(PGConnectionConfiguration(url(host: host, authority: authority))).close()
            }
            #expect(error?.code == .connectionFailed, "\(why)")
        }
        // Without TLS the server refuses the connection outright (hostssl only).
        let plain = "postgresql://\(LocalCluster.ownerRole)@localhost:\(port)/\(LocalCluster.databaseName)?sslmode=disable"
        await #expect(throws: PGError.self) { try await PGConnection.connect(PGConnectionConfiguration(plain)).close() }
    }
}
