import Foundation
@testable import RedressServer
import Testing

@Suite("Header values the runtime percent-encoded")
struct PercentDecodingTests {
    @Test func decodesAsFoundationDoes() {
        let cases = ["%2Fv1%2Fcomplaints%2Fa1b2", "plain", "%", "%2", "%zz", "a%2fb", "%E6%8A%95%E8%AF%89", "%E6%8A", "%C3%A9%20x",
                     "100%25", "%00", "%FF", "%2F%", "a%%41", ""]
        for value in cases {
            #expect(ContractMiddleware.percentDecoded(value) == value.removingPercentEncoding, "\(value)")
        }
    }

    @Test func decodesGeneratedValuesAsFoundationDoes() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["%", "2", "F", "f", "a", "Z", "%41", "%E6", "%8A", "%95", "/", "é", "%C3", "%A9", " ", "%2"]
        for _ in 0..<2_000 {
            let value = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(ContractMiddleware.percentDecoded(value) == value.removingPercentEncoding, "\(value)")
        }
    }
}
