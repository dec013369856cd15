import Crypto
import Foundation

/// One numbered SQL migration file, e.g. `sql/0003_complaints.sql`.
public struct PGMigration: Sendable, Equatable {
    /// The number the file name starts with; files apply in this order.
    public var version: Int
    /// The file name.
    public var name: String
    /// The file's SQL text.
    public var sql: String
    /// SHA-256 of the SQL text, hex-encoded; an applied file whose checksum changed is an error.
    public var checksum: String

    /// Creates a migration from its parts.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Loads every `NNNN_name.sql` file of `directory`, sorted by number.
    /// Two files with the same number, or a `.sql` file without one, is an error.
    public static func load(from directory: URL) throws -> [PGMigration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw PGError(.migration, message: "cannot read migrations directory \(directory.path)")
        }
        var migrations: [PGMigration] = []
        for name in names where name.hasSuffix(".sql") {
            guard let version = Int(name.prefix(while: \.isNumber)) else {
                throw PGError(.migration, message: "migration file \(name) does not start with a number")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            migrations.append(PGMigration(version: version, name: name, sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw PGError(.migration, message: "migrations \(earlier.name) and \(later.name) share number \(later.version)")
        }
        return migrations
    }
}
