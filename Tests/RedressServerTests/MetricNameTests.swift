@testable import RedressServer
import Testing

@Suite("Metric names")
struct MetricNameTests {
    @Test func safeNamesComeBackAsTheyAre() {
        #expect(RedressMetrics.sanitized("redress_pool_acquire_seconds") == "redress_pool_acquire_seconds")
        #expect(RedressMetrics.sanitized("Route_2") == "Route_2")
        for byte in UInt8(0)...UInt8(127) {
            let character = String(UnicodeScalar(byte))
            let safe = character.first!.isLetter || character.first!.isNumber || character == "_"
            #expect(RedressMetrics.sanitized("a" + character) == (safe ? "a" + character : "a_"), "\(byte)")
        }
    }

    @Test func everyOtherCharacterBecomesAnUnderscore() {
        #expect(RedressMetrics.sanitized("hb.requests") == "hb_requests")
        #expect(RedressMetrics.sanitized("a-b c/d") == "a_b_c_d")
        #expect(RedressMetrics.sanitized("延迟_ms") == "___ms")
        #expect(RedressMetrics.sanitized("[x]{y}@`") == "_x__y___")
    }
}
