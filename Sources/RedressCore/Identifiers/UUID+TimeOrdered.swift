import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562): the Unix time in milliseconds in its first 48 bits, then 74
    /// random bits. Ids made one after another sort one after another, so the rows they key are
    /// added at the end of their indexes, which stay in memory, rather than at random places all
    /// over indexes larger than memory. The database's `public.uuid_v7()` (`sql/0090`) makes them
    /// the same way.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        timeOrdered(unixMilliseconds: UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down))))
    }

    /// A version 7 UUID of the given Unix time in milliseconds (its lowest 48 bits).
    public static func timeOrdered(unixMilliseconds milliseconds: UInt64) -> UUID {
        var bytes = UUID().uuid
        bytes.0 = UInt8(truncatingIfNeeded: milliseconds >> 40)
        bytes.1 = UInt8(truncatingIfNeeded: milliseconds >> 32)
        bytes.2 = UInt8(truncatingIfNeeded: milliseconds >> 24)
        bytes.3 = UInt8(truncatingIfNeeded: milliseconds >> 16)
        bytes.4 = UInt8(truncatingIfNeeded: milliseconds >> 8)
        bytes.5 = UInt8(truncatingIfNeeded: milliseconds)
        bytes.6 = 0x70 | (bytes.6 & 0x0F)
        bytes.8 = 0x80 | (bytes.8 & 0x3F)
        return UUID(uuid: bytes)
    }
}
