/// A PostgreSQL type, identified by its OID.
public struct PGType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The type's OID in `pg_type`.
    public let rawValue: UInt32

    /// Wraps a type OID.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The OID, as libpq wants it.
    public var oid: UInt32 { rawValue }

    /// The type's SQL name for the built-in types this client knows, else `oid <n>`.
    public var description: String { Self.names[rawValue] ?? "oid \(rawValue)" }

    /// True for types created in the database (enums, domains, …) rather than built in.
    public var isUserDefined: Bool { rawValue >= 16384 }

    /// Lets the server infer the type from the statement (like an untyped literal).
    public static let unspecified = PGType(rawValue: 0)
    /// The built-in type with OID 16.
    public static let bool = PGType(rawValue: 16)
    /// The built-in type with OID 17.
    public static let bytea = PGType(rawValue: 17)
    /// The built-in type with OID 19.
    public static let name = PGType(rawValue: 19)
    /// The built-in type with OID 20.
    public static let int8 = PGType(rawValue: 20)
    /// The built-in type with OID 21.
    public static let int2 = PGType(rawValue: 21)
    /// The built-in type with OID 23.
    public static let int4 = PGType(rawValue: 23)
    /// The built-in type with OID 25.
    public static let text = PGType(rawValue: 25)
    /// The built-in type with OID 26.
    public static let oidType = PGType(rawValue: 26)
    /// The built-in type with OID 114.
    public static let json = PGType(rawValue: 114)
    /// The built-in type with OID 700.
    public static let float4 = PGType(rawValue: 700)
    /// The built-in type with OID 701.
    public static let float8 = PGType(rawValue: 701)
    /// The built-in type with OID 705.
    public static let unknown = PGType(rawValue: 705)
    /// The built-in type with OID 1042.
    public static let bpchar = PGType(rawValue: 1042)
    /// The built-in type with OID 1043.
    public static let varchar = PGType(rawValue: 1043)
    /// The built-in type with OID 1082.
    public static let date = PGType(rawValue: 1082)
    /// The built-in type with OID 1114.
    public static let timestamp = PGType(rawValue: 1114)
    /// The built-in type with OID 1184.
    public static let timestamptz = PGType(rawValue: 1184)
    /// The built-in type with OID 1700.
    public static let numeric = PGType(rawValue: 1700)
    /// The built-in type with OID 2950.
    public static let uuid = PGType(rawValue: 2950)
    /// The built-in type with OID 3802.
    public static let jsonb = PGType(rawValue: 3802)
    /// The built-in type with OID 1000.
    public static let boolArray = PGType(rawValue: 1000)
    /// The built-in type with OID 1005.
    public static let int2Array = PGType(rawValue: 1005)
    /// The built-in type with OID 1007.
    public static let int4Array = PGType(rawValue: 1007)
    /// The built-in type with OID 1009.
    public static let textArray = PGType(rawValue: 1009)
    /// The built-in type with OID 1014.
    public static let bpcharArray = PGType(rawValue: 1014)
    /// The built-in type with OID 1015.
    public static let varcharArray = PGType(rawValue: 1015)
    /// The built-in type with OID 1016.
    public static let int8Array = PGType(rawValue: 1016)
    /// The built-in type with OID 1022.
    public static let float8Array = PGType(rawValue: 1022)
    /// The built-in type with OID 1185.
    public static let timestamptzArray = PGType(rawValue: 1185)
    /// The built-in type with OID 2951.
    public static let uuidArray = PGType(rawValue: 2951)
    /// The built-in type with OID 1003.
    public static let nameArray = PGType(rawValue: 1003)

    static let names: [UInt32: String] = [
        16: "bool", 17: "bytea", 19: "name", 20: "int8", 21: "int2", 23: "int4", 25: "text",
        26: "oid", 114: "json", 700: "float4", 701: "float8", 705: "unknown", 1042: "bpchar",
        1043: "varchar", 1082: "date", 1114: "timestamp", 1184: "timestamptz", 1700: "numeric",
        2950: "uuid", 3802: "jsonb", 1000: "bool[]", 1005: "int2[]", 1007: "int4[]", 1009: "text[]",
        1014: "bpchar[]", 1015: "varchar[]", 1016: "int8[]", 1022: "float8[]", 1185: "timestamptz[]",
        2951: "uuid[]", 1003: "name[]",
    ]
}

/// Whether a bound value is sent as text or in PostgreSQL's binary format.
public enum PGFormat: Int32, Sendable {
    /// Text, as psql would type it.
    case text = 0
    /// The type's binary wire format.
    case binary = 1
}
