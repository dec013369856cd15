import CLibPQ

/// The bound parameters of a statement: their type OIDs, formats and encoded bytes.
public struct PGBinds: Sendable {
    var types: [UInt32] = []
    var formats: [Int32] = []
    var values: [[UInt8]?] = []

    /// An empty list.
    public init() {}

    init(capacity: Int) {
        types.reserveCapacity(capacity)
        formats.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    /// How many parameters are bound.
    public var count: Int { values.count }

    /// Binds a value as the next parameter.
    public mutating func append(_ value: some PGEncodable) {
        var bytes: [UInt8] = []
        value.encode(into: &bytes)
        types.append(type(of: value).pgType.oid)
        formats.append(type(of: value).pgFormat.rawValue)
        values.append(bytes)
    }

    /// Binds an optional value as the next parameter; `nil` is SQL NULL.
    public mutating func append<Value: PGEncodable>(_ value: Value?) {
        if let value { append(value); return }
        types.append(Value.pgType.oid)
        formats.append(Value.pgFormat.rawValue)
        values.append(nil)
    }

    /// A key describing the parameter types, for the prepared-statement cache.
    var typeSignature: String { types.map(String.init).joined(separator: ",") }

    /// Calls `body` with the C arrays libpq expects.
    func withUnsafeParameters<R>(
        _ body: (
            _ count: Int32, _ types: UnsafePointer<Oid>?, _ values: UnsafePointer<UnsafePointer<CChar>?>?,
            _ lengths: UnsafePointer<Int32>?, _ formats: UnsafePointer<Int32>?
        ) throws -> R
    ) rethrows -> R {
        if values.isEmpty { return try body(0, nil, nil, nil, nil) }
        var storage: [UInt8] = [0]  // never empty, so the buffer always has an address
        storage.reserveCapacity(values.reduce(0) { $0 + ($1?.count ?? 0) + 1 })
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        for value in values {
            if let value {
                offsets.append(storage.count)
                storage.append(contentsOf: value)
                storage.append(0)
                lengths.append(Int32(value.count))
            } else {
                offsets.append(nil)
                lengths.append(0)
            }
        }
        return try storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in offset.map { base + $0 } }
            return try pointers.withUnsafeBufferPointer { valuePointers in
                try types.withUnsafeBufferPointer { typePointers in
                    try lengths.withUnsafeBufferPointer { lengthPointers in
                        try formats.withUnsafeBufferPointer { formatPointers in
                            try body(Int32(values.count), typePointers.baseAddress, valuePointers.baseAddress,
                                     lengthPointers.baseAddress, formatPointers.baseAddress)
                        }
                    }
                }
            }
        }
    }
}
