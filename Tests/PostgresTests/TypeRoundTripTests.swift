import Foundation
import Postgres
import RedressTestSupport
import Testing

@Suite("Every supported type round-trips through a real PostgreSQL")
struct TypeRoundTripTests {
    struct Payload: Codable, Equatable, Sendable {
        var title: String
        var tags: [String]
        var amount: Double?
    }

    /// Binds `value`, casts it to `sqlType` on the server, and decodes it back.
    func roundTrip<T: PGEncodable & PGDecodable>(_ value: T?, as sqlType: String, on pool: PGPool) async throws -> T? {
        let rows = try await pool.query("SELECT \(value)::\(unescaped: sqlType)")
        return try rows[0].decode(T?.self, at: 0)
    }

    @Test func scalarsIncludingExtremesAndNull() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true) { (pool: PGPool) async throws in
            for value in [Int.min, -1, 0, 1, Int.max] { #expect(try await roundTrip(value, as: "int8", on: pool) == value) }
            for value in [Int32.min, 0, Int32.max] { #expect(try await roundTrip(value, as: "int4", on: pool) == value) }
            for value in [Int16.min, 0, Int16.max] { #expect(try await roundTrip(value, as: "int2", on: pool) == value) }
            for value in [-1.5, 0, Double.greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity] {
                #expect(try await roundTrip(value, as: "float8", on: pool) == value)
            }
            #expect(try await roundTrip(true, as: "bool", on: pool) == true)
            #expect(try await roundTrip(false, as: "bool", on: pool) == false)
            for text in ["", "plain", "投诉处理 — 客户服务中心", "emoji 🙂‍↔️", "quote ' and \" and \\", "\u{1}control"] {
                #expect(try await roundTrip(text, as: "text", on: pool) == text)
            }
            #expect(try await roundTrip(Int?.none, as: "int8", on: pool) == nil)
            #expect(try await roundTrip(String?.none, as: "text", on: pool) == nil)
            #expect(try await roundTrip(UUID?.none, as: "uuid", on: pool) == nil)
            let id = UUID()
            #expect(try await roundTrip(id, as: "uuid", on: pool) == id)
            let bytes = Data([0, 1, 2, 0, 255, 0x5c, 0x27])
            #expect(try await roundTrip(bytes, as: "bytea", on: pool) == bytes)
            #expect(try await roundTrip(Data(), as: "bytea", on: pool) == Data())
        }
    }

    @Test func numericIsExact() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true) { (pool: PGPool) async throws in
            for text in ["0", "1", "-1", "0.0001", "12345.6789", "-98765432109876543210.0001234", "1000000", "0.50", "100.00"] {
                let rows = try await pool.query("SELECT \(text)::numeric")
                #expect(try rows[0].decode(String.self, at: 0) == text)
                #expect(try rows[0].decode(Decimal.self, at: 0) == Decimal(string: text))
            }
            let amount = Decimal(string: "1999.99")!
            #expect(try await roundTrip(amount, as: "numeric(12,2)", on: pool) == amount)
            #expect(try await pool.query("SELECT 'NaN'::numeric")[0].decode(String.self, at: 0) == "NaN")
        }
    }

    @Test func timestampsKeepTheInstantWhateverTheSessionTimeZone() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            let instant = Date(timeIntervalSince1970: 1_710_000_000.123456)
            for zone in ["UTC", "Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati"] {
                try await pool.withConnection { (connection: PGConnection) async throws in
                    try await connection.execute("SELECT set_config('TimeZone', \(zone), false)")
                    let rows = try await connection.query("""
                        SELECT \(instant)::timestamptz, '2024-03-10 10:30:00+08'::timestamptz, \(instant)::timestamptz::text
                        """)
                    let back = try rows[0].decode(Date.self, at: 0)
                    #expect(abs(back.timeIntervalSince(instant)) < 0.000_001)
                    #expect(try rows[0].decode(Date.self, at: 1) == Date(timeIntervalSince1970: 1_710_037_800))
                    _ = try rows[0].decode(String.self, at: 2)
                }
            }
            let early = Date(timeIntervalSince1970: -2_000_000_000)
            #expect(try await roundTrip(early, as: "timestamptz", on: pool) == early)
        }
    }

    @Test func datesJSONAndArrays() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true) { (pool: PGPool) async throws in
            let payload = Payload(title: "网络故障", tags: ["a", "b"], amount: 12.5)
            let json = try await pool.query("SELECT \(PGJSON(payload)), \(PGJSON(payload))::json")
            #expect(try json[0].decode(PGJSON<Payload>.self, at: 0).value == payload)
            #expect(try json[0].decode(PGJSON<Payload>.self, at: 1).value == payload)

            let texts = ["one", "二", "", "with,comma", "with\"quote", "NULL"]
            #expect(try await roundTrip(texts, as: "text[]", on: pool) == texts)
            #expect(try await roundTrip([Int.min, 0, Int.max], as: "int8[]", on: pool) == [Int.min, 0, Int.max])
            let ids = [UUID(), UUID()]
            #expect(try await roundTrip(ids, as: "uuid[]", on: pool) == ids)
            #expect(try await roundTrip([String](), as: "text[]", on: pool) == [])
            let withNulls = try await pool.query("SELECT ARRAY['x', NULL, 'z']::text[], ARRAY[1, NULL]::int4[]")
            #expect(try withNulls[0].decode([String?].self, at: 0) == ["x", nil, "z"])
            #expect(try withNulls[0].decode([Int?].self, at: 1) == [1, nil])

            let date = try await pool.query("SELECT '2024-02-29'::date - '2000-01-01'::date, '2024-02-29'::date::text")
            #expect(try date[0].decode(Int.self, at: 0) == 8825)
            #expect(try date[0].decode(String.self, at: 1) == "2024-02-29")
        }
    }

    @Test func valuesSurviveATableRoundTrip() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true) { (pool: PGPool) async throws in
            try await pool.withConnection { (connection: PGConnection) async throws in
                try await connection.executeScript("""
                    CREATE TABLE things (id uuid PRIMARY KEY, name text, count int4, big int8, ok bool,
                                         price numeric(10,2), seen timestamptz, blob bytea, tags text[], doc jsonb)
                    """)
            }
            let id = UUID(), seen = Date(timeIntervalSince1970: 1_700_000_000)
            try await pool.query("""
                INSERT INTO things VALUES (\(id), \("名字"), \(Int32(7)), \(Int.max), \(true), \(Decimal(string: "12.34")!),
                                          \(seen), \(Data([9, 0, 9])), \(["x", "y"]), \(PGJSON(["k": "v"])))
                """)
            try await pool.query("INSERT INTO things (id) VALUES (\(UUID()))")
            let rows = try await pool.query("SELECT * FROM things ORDER BY name NULLS LAST")
            #expect(rows.count == 2)
            let row = rows[0]
            #expect(try row.decode(UUID.self, column: "id") == id)
            #expect(try row.decode(String.self, column: "name") == "名字")
            #expect(try row.decode(Int32.self, column: "count") == 7)
            #expect(try row.decode(Int.self, column: "big") == Int.max)
            #expect(try row.decode(Bool.self, column: "ok"))
            #expect(try row.decode(Decimal.self, column: "price") == Decimal(string: "12.34"))
            #expect(try row.decode(Date.self, column: "seen") == seen)
            #expect(try row.decode(Data.self, column: "blob") == Data([9, 0, 9]))
            #expect(try row.decode([String].self, column: "tags") == ["x", "y"])
            #expect(try row.decode(PGJSON<[String: String]>.self, column: "doc").value == ["k": "v"])
            #expect(try rows[1].decode(String?.self, column: "name") == nil)
            #expect(rows[1].isNull(at: 1))
        }
    }

    @Test func aDecodingFailureNamesTheColumnAndBothTypes() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true) { (pool: PGPool) async throws in
            let rows = try await pool.query("SELECT 42::int4 AS answer, NULL::text AS nothing")
            let error = try #require(throws: PGError.self) { try rows[0].decode(String.self, column: "answer") }
            #expect(error.code == .decoding)
            #expect(error.message.contains("\"answer\""))
            #expect(error.message.contains("int4"))
            #expect(error.message.contains("String"))
            #expect(throws: PGError.self) { try rows[0].decode(Int.self, column: "nothing") }
            #expect(throws: PGError.self) { try rows[0].decode(Int.self, column: "missing") }
        }
    }

    @Test func anInjectionAttemptIsStoredAsData() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true) { (pool: PGPool) async throws in
            try await pool.query("CREATE TABLE x (value text)")
            let hostile = "'); DROP TABLE x; --"
            try await pool.query("INSERT INTO x (value) VALUES (\(hostile))")
            let rows = try await pool.query("SELECT value FROM x WHERE value = \(hostile)")
            #expect(try rows[0].decode(String.self, at: 0) == hostile)
            #expect(try await pool.query("SELECT count(*) FROM x")[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test func serverErrorsCarrySQLStateAndConstraint() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true) { (pool: PGPool) async throws in
            try await pool.query("CREATE TABLE u (id int CONSTRAINT u_pkey PRIMARY KEY, n int CHECK (n > 0))")
            try await pool.query("INSERT INTO u VALUES (1, 1)")
            let duplicate = await #expect(throws: PGError.self) { try await pool.query("INSERT INTO u VALUES (1, 1)") }
            #expect(duplicate?.sqlState == .uniqueViolation)
            #expect(duplicate?.constraint == "u_pkey")
            #expect(duplicate?.detail?.contains("already exists") == true)
            #expect(duplicate?.description.contains("1") == false || duplicate?.description.contains("23505") == true)
            let check = await #expect(throws: PGError.self) { try await pool.query("INSERT INTO u VALUES (2, -1)") }
            #expect(check?.sqlState == .checkViolation)
            let syntax = await #expect(throws: PGError.self) { try await pool.query("SELEC 1") }
            #expect(syntax?.sqlState?.rawValue == "42601")
            #expect(try await pool.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
        }
    }
}
