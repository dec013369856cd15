/// Reads big-endian values from a binary result value, refusing to read past its end.
struct PGBinaryReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw PGDecodingFailure("value too short") }
        defer { offset += size }
        return T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, offset + count <= bytes.count else { throw PGDecodingFailure("value too short") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}

extension UnsafeRawBufferPointer {
    /// Reads a whole value that must be exactly one big-endian integer.
    func readInteger<T: FixedWidthInteger>(_: T.Type) throws -> T {
        guard count == MemoryLayout<T>.size else { throw PGDecodingFailure("expected \(MemoryLayout<T>.size) bytes, got \(count)") }
        return T(bigEndian: loadUnaligned(as: T.self))
    }
}
