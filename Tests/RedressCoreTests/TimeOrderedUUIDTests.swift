import Foundation
import RedressCore
import Testing

/// Version 7 UUIDs: the time in milliseconds first, so that ids sort by when they were made, then
/// random bits, with the version and variant of RFC 9562.
@Suite("Time-ordered UUIDs")
struct TimeOrderedUUIDTests {
    @Test func theFirst48BitsAreTheUnixTimeInMilliseconds() {
        let date = Date(timeIntervalSince1970: 1_796_601_600.125)  // 2026-12-07T00:00:00.125Z
        let id = UUID.timeOrdered(at: date).uuidString.lowercased()
        #expect(id.replacingOccurrences(of: "-", with: "").prefix(12) == String(1_796_601_600_125, radix: 16).zeroPadded(to: 12))
    }

    @Test func theVersionIs7AndTheVariantRFC9562s() {
        for _ in 0..<100 {
            let hex = Array(UUID.timeOrdered().uuidString.lowercased())
            #expect(hex[14] == "7")
            #expect("89ab".contains(hex[19]))
        }
    }

    @Test func laterIdsSortAfterAndIdsOfOneMillisecondDiffer() {
        let start: UInt64 = 1_796_601_600_000
        let ids = (UInt64(0)..<1_000).map { UUID.timeOrdered(unixMilliseconds: start + $0) }
        #expect(ids.map(\.uuidString) == ids.map(\.uuidString).sorted())
        let sameInstant = (0..<1_000).map { _ in UUID.timeOrdered(unixMilliseconds: start) }
        #expect(Set(sameInstant).count == 1_000, "74 random bits apart")
    }
}

extension String {
    fileprivate func zeroPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
