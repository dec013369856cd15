import Foundation
@testable import RedressServer
import Testing

/// The request bodies' JSON parser (``JSONValue/parse(_:)``) against Foundation's `JSONDecoder`
/// reading the same bytes through `JSONValue`'s `Decodable` conformance: the same value for every
/// document both accept, the same refusals but for the parser's stricter ones (trailing commas,
/// repeated members), on hand-picked edge cases and on generated documents (nested values,
/// escapes, non-ASCII text, numbers of every shape).
@Suite("Request JSON parsing")
struct JSONValueParseTests {
    /// What `JSONDecoder` makes of `text`, or nil when it refuses it.
    static func decoded(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Equal, counting an integer and a number of the same value as equal (`JSONDecoder` reads
    /// `1.0` as an integer, the parser as a number; the schema check takes both as whole).
    static func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (.integer(x)?, .number(y)?), let (.number(y)?, .integer(x)?): return Double(x) == y
        case let (.array(x)?, .array(y)?): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (.object(x)?, .object(y)?): return x.keys == y.keys && x.allSatisfy { same($0.value, y[$0.key]) }
        case let (x?, y?): return x == y
        default: return false
        }
    }

    static let cases = [
        #"{"channel":"phone","description":"Billed twice","branchId":"a0000000-0000-4000-8000-000000000001"}"#,
        "  {\n\t\"a\" : [1, -2, 3.5, -0, 0.0, 1e3, 1E-2, 2.5e+1, 12345678901234567890, -9223372036854775808] } \r\n",
        #"{"s":"quote \" slash \/ back \\ \b\f\n\r\t done","u":"\u00e9\u4e2d\ud83d\ude00","n":null,"t":true,"f":false}"#,
        "[]", "{}", "[[[]]]", "\"just a string\"", "42", "-1.5", "true", "null", "\"中文 and émoji 😀\"",
        // Refused by both.
        "", " ", "{", "}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10",
        "tru", "nul", "True", "NaN", "Infinity", "1e400", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"tab\there\"", "{} {}", "[1] x", "{\"a\":1}}", "'single'",
    ]

    /// What `JSONDecoder` reads and the parser refuses.
    static let refusedOnlyByTheParser = [#"{"a":1,"a":2}"#, #"{"a":{"b":1,"b":1}}"#, "[1,]", #"{"a":1,}"#, "[[1,],2]"]

    @Test func handPickedDocumentsParseAsJSONDecoderReadsThem() {
        for text in Self.cases {
            let parsed = JSONValue.parse(Data(text.utf8))
            #expect(Self.same(parsed, Self.decoded(text)), "\(text.debugDescription): \(String(describing: parsed))")
        }
        for text in Self.refusedOnlyByTheParser {
            #expect(JSONValue.parse(Data(text.utf8)) == nil && Self.decoded(text) != nil, "\(text)")
        }
        #expect(JSONValue.parse(Data("12345678901234567890".utf8)) == .number(12345678901234567890))
        #expect(JSONValue.parse(Data(#""\ud83d\ude00""#.utf8)) == .string("😀"))
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(JSONValue.parse(Data(deep.utf8)) != nil)
        let deeper = "[" + deep + "]"
        #expect(JSONValue.parse(Data(deeper.utf8)) == nil, "no deeper than the limit")
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(JSONValue.parse(Data(hostile.utf8)) == nil, "no stack overflow on a hostile body")
    }

    @Test func generatedDocumentsParseAsJSONDecoderReadsThem() throws {
        var random = SystemRandomNumberGenerator()
        let texts = ["", "a", "é", "中文", "😀", "\"", "\\", "/", "\n", "\t", "\u{0001}", "\u{001F}", "\u{007F}", "\u{2028}", " "]
        func string() -> String { (0..<Int.random(in: 0...6, using: &random)).map { _ in texts.randomElement(using: &random)! }.joined() }
        func value(_ depth: Int) -> Any {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &random) {
            case 0: return NSNull()
            case 1: return Bool.random(using: &random)
            case 2: return Int64.random(in: Int64.min...Int64.max, using: &random) >> Int64.random(in: 0...63, using: &random)
            case 3: return Double.random(in: -1e12...1e12, using: &random)
            case 4: return string()
            case 5: return (0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth + 1) }
            default: return Dictionary((0..<Int.random(in: 0...4, using: &random)).map { _ in (string(), value(depth + 1)) },
                                       uniquingKeysWith: { a, _ in a })
            }
        }
        var compared = 0
        for _ in 0..<2_000 {
            let document = value(0)
            let data = try JSONSerialization.data(withJSONObject: document, options: [.fragmentsAllowed])
            let text = String(decoding: data, as: UTF8.self)
            let parsed = JSONValue.parse(data)
            #expect(parsed != nil && Self.same(parsed, Self.decoded(text)), "\(text)")
            compared += 1
        }
        #expect(compared == 2_000)
    }
}
