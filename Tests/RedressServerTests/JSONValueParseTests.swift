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

    /// The same value, or both refused.
    static func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool { a == b }

    static let cases = [
        #"{"channel":"phone","description":"Billed twice","branchId":"a0000000-0000-4000-8000-000000000001"}"#,
        "  {\n\t\"a\" : [1, -2, 3.5, -0, 0.0, 1e3, 1E-2, 2.5e+1, 12345678901234567890, -9223372036854775808] } \r\n",
        #"{"s":"quote \" slash \/ back \\ \b\f\n\r\t done","u":"\u00e9\u4e2d\ud83d\ude00","n":null,"t":true,"f":false}"#,
        #"["\u0000", "\u00E9\u00e9", "a\nb", "\ud83d\ude00\ud83d\ude00"]"#, "[1.0, 1e3, -0.0, 25E-1, 1e20, 9.5, -3e0]",
        "\u{FEFF}{\"bom\": true}", "{\"a\":1, \"A\":2}",
        "[]", "{}", "[[[]]]", "\"just a string\"", "42", "-1.5", "true", "null", "\"中文 and émoji 😀\"",
        // Refused by both.
        "", " ", "{", "}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10",
        "tru", "nul", "True", "NaN", "Infinity", "1e400", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u00G0\"",
        "\"escaped\\n then raw\u{0001}\"", "\"tab\there\"", "{} {}", "[1] x", "{\"a\":1}}", "'single'",
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
        #expect(JSONValue.parse(Data("[1.0, 1e3, -0.0, 2.5]".utf8)) == .array([.integer(1), .integer(1000), .integer(0), .number(2.5)]),
                "a whole value is an integer, however it is written")
        #expect(JSONValue.parse(Data(#""\ud83d\ude00""#.utf8)) == .string("😀"))
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(JSONValue.parse(Data(deep.utf8)) != nil)
        let objects = String(repeating: "{\"a\":", count: JSONValue.maximumDepth - 1) + "{}" + String(repeating: "}", count: JSONValue.maximumDepth - 1)
        #expect(JSONValue.parse(Data(objects.utf8)) != nil, "objects as deep as the limit")
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

    /// A repeated item is found however the value is written (`1` and `1.0` are one integer), and
    /// an array as long as a body can hold is checked in one pass.
    @Test func repeatedItemsAreFoundInOnePass() throws {
        let validator = SchemaValidator(components: [:])
        let schema = JSONValue.object(["type": .string("array"), "uniqueItems": .bool(true)])
        for text in ["[1, 1.0]", #"["a", "b", "a"]"#, #"[{"x": [1]}, {"x": [1e0]}]"#] {
            let value = try #require(JSONValue.parse(Data(text.utf8)))
            #expect(validator.violations(of: value, against: schema).map(\.message) == ["must not repeat an item"], "\(text)")
        }
        let distinct = "[" + (0..<10_000).map { "\"r\($0)\"" }.joined(separator: ",") + "]"
        #expect(validator.violations(of: try #require(JSONValue.parse(Data(distinct.utf8))), against: schema).isEmpty)
    }
}

/// `JSONValue` read through `JSONDecoder`, trying each JSON type in turn (as the contract check
/// read request bodies before its parser): the reference the parser is held to.
extension JSONValue: Decodable {
    public init(from decoder: any Decoder) throws {
        if var elements = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !elements.isAtEnd { values.append(try elements.decode(JSONValue.self)) }
            self = .array(values)
        } else if let members = try? decoder.container(keyedBy: MemberKey.self) {
            var values: [String: JSONValue] = [:]
            for key in members.allKeys { values[key.stringValue] = try members.decode(JSONValue.self, forKey: key) }
            self = .object(values)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let value = try? single.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? single.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? single.decode(Double.self) {
                self = .number(value)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    private struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
