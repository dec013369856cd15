import Foundation
import RedressCore
import Testing

@Suite("Numbers padded with zeros")
struct ZeroPaddedTests {
    /// The same text as C's `%0*d` for small, large and negative numbers at every width up to six.
    @Test func writesWhatACFormatWrites() {
        let values = [0, 1, 9, 10, 59, 99, 100, 999, 1_000, 2026, 99_999, 123_456, -1, -9, -10, -123, Int.max, Int.min + 1]
        for value in values {
            for width in 0...6 {
                #expect(value.zeroPadded(width) == String(format: "%0*ld", width, value), "\(value) at width \(width)")
            }
        }
    }
}
