import Foundation
import RedressAPI

/// Checks JSON values against the schemas of openapi.yaml: the subset of JSON Schema the
/// document uses (`type`, `enum`, `format`, lengths, bounds, `pattern`, `required`,
/// `properties`, `additionalProperties`, `items`, `$ref`, `oneOf`/`anyOf`). Every violation is
/// reported with the JSON pointer of the value it is about.
struct SchemaValidator: Sendable {
    /// `components.schemas` of the document, for `$ref`.
    let components: [String: JSONValue]
    private let patterns: [String: NSRegularExpressionBox]

    init(components: [String: JSONValue]) {
        self.components = components
        var patterns: [String: NSRegularExpressionBox] = [:]
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if case .string(let pattern)? = members["pattern"], patterns[pattern] == nil {
                    patterns[pattern] = NSRegularExpressionBox(pattern)
                }
                members.values.forEach(collect)
            case .array(let values):
                values.forEach(collect)
            default:
                break
            }
        }
        components.values.forEach(collect)
        self.patterns = patterns
    }

    /// The violations of `value` against `schema`; `pointer` names `value` itself.
    func violations(of value: JSONValue, against schema: JSONValue, at pointer: String = "") -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        check(value, schema, pointer, &found)
        return found
    }

    private func resolve(_ schema: JSONValue) -> [String: JSONValue] {
        guard case .object(var members) = schema else { return [:] }
        while case .string(let reference)? = members["$ref"] {
            let name = String(reference.split(separator: "/").last ?? "")
            guard case .object(let target)? = components[name] else { return [:] }
            members = target
        }
        return members
    }

    private func check(_ value: JSONValue, _ schema: JSONValue, _ pointer: String, _ found: inout [SchemaViolation]) {
        let schema = resolve(schema)
        if case .array(let alternatives)? = schema["oneOf"] ?? schema["anyOf"] {
            if !alternatives.contains(where: { violations(of: value, against: $0, at: pointer).isEmpty }) {
                found.append(.init(field: field(pointer), message: "matches none of the allowed forms", kind: .malformed))
            }
            return
        }
        let types = Self.types(schema["type"])
        if !types.isEmpty && !types.contains(where: { Self.value(value, is: $0) }) {
            let expected = types.filter { $0 != "null" }.map(Self.describe).joined(separator: " or ")
            let message = value == .null ? "must be \(expected), not null" : "must be \(expected)"
            found.append(.init(field: field(pointer), message: message, kind: .malformed))
            return
        }
        if case .array(let allowed)? = schema["enum"], !allowed.contains(value), value != .null || !types.contains("null") {
            let words = allowed.compactMap { if case .string(let word) = $0 { word } else { nil } }
            found.append(.init(field: field(pointer), message: "must be one of: " + words.joined(separator: ", "), kind: .refused))
            return
        }
        switch value {
        case .string(let text): checkString(text, schema, pointer, &found)
        case .integer, .number: checkNumber(value.numeric ?? 0, schema, pointer, &found)
        case .array(let elements): checkArray(elements, schema, pointer, &found)
        case .object(let members): checkObject(members, schema, pointer, &found)
        case .null, .bool: break
        }
    }

    private func checkString(_ text: String, _ schema: [String: JSONValue], _ pointer: String, _ found: inout [SchemaViolation]) {
        let length = text.unicodeScalars.count
        if case .integer(let minimum)? = schema["minLength"], length < minimum {
            found.append(.init(field: field(pointer), message: minimum == 1 ? "must not be empty" : "must be at least \(minimum) characters",
                               kind: .refused))
        }
        if case .integer(let maximum)? = schema["maxLength"], length > maximum {
            found.append(.init(field: field(pointer), message: "must be at most \(maximum) characters", kind: .refused))
        }
        if case .string(let format)? = schema["format"], let problem = Self.formatProblem(text, format) {
            found.append(.init(field: field(pointer), message: problem, kind: .malformed))
        }
        // Patterns of the components are compiled once; those written inline in an operation
        // (a parameter's) as they are met.
        if case .string(let pattern)? = schema["pattern"], !(patterns[pattern] ?? NSRegularExpressionBox(pattern)).matches(text) {
            found.append(.init(field: field(pointer), message: "must match \(pattern)", kind: .refused))
        }
    }

    private func checkNumber(_ number: Double, _ schema: [String: JSONValue], _ pointer: String, _ found: inout [SchemaViolation]) {
        let minimum = schema["minimum"]?.numeric
        let maximum = schema["maximum"]?.numeric
        if let minimum, number < minimum || maximum.map({ number > $0 }) == true {
            let range = maximum.map { "from \(Self.format(minimum)) to \(Self.format($0))" } ?? "at least \(Self.format(minimum))"
            found.append(.init(field: field(pointer), message: "must be \(range)", kind: .refused))
        } else if let maximum, number > maximum {
            found.append(.init(field: field(pointer), message: "must be at most \(Self.format(maximum))", kind: .refused))
        }
    }

    private func checkArray(_ elements: [JSONValue], _ schema: [String: JSONValue], _ pointer: String, _ found: inout [SchemaViolation]) {
        if case .integer(let minimum)? = schema["minItems"], elements.count < minimum {
            found.append(.init(field: field(pointer), message: "must have at least \(minimum) item\(minimum == 1 ? "" : "s")", kind: .refused))
        }
        if case .integer(let maximum)? = schema["maxItems"], elements.count > maximum {
            found.append(.init(field: field(pointer), message: "must have at most \(maximum) items", kind: .refused))
        }
        // Through a set: comparing every pair would take a 64 KiB array of short strings millions of steps.
        if case .bool(true)? = schema["uniqueItems"], Set(elements).count < elements.count {
            found.append(.init(field: field(pointer), message: "must not repeat an item", kind: .refused))
        }
        if let items = schema["items"] {
            for (index, element) in elements.enumerated() { check(element, items, pointer + "/\(index)", &found) }
        }
    }

    private func checkObject(_ members: [String: JSONValue], _ schema: [String: JSONValue], _ pointer: String, _ found: inout [SchemaViolation]) {
        var properties: [String: JSONValue] = [:]
        if case .object(let declared)? = schema["properties"] { properties = declared }
        switch schema["additionalProperties"] {
        case .bool(false)?:
            for name in members.keys.sorted() where properties[name] == nil {
                found.append(.init(field: pointer + "/" + Self.escaped(name), message: "is not a known field", kind: .malformed))
            }
        case .object(let additional)?:
            for name in members.keys.sorted() where properties[name] == nil {
                check(members[name]!, .object(additional), pointer + "/" + Self.escaped(name), &found)
            }
        default:
            break
        }
        if case .array(let required)? = schema["required"] {
            for case .string(let name) in required where members[name] == nil {
                found.append(.init(field: pointer + "/" + Self.escaped(name), message: "is required", kind: .malformed))
            }
        }
        for name in members.keys.sorted() {
            if let property = properties[name] { check(members[name]!, property, pointer + "/" + Self.escaped(name), &found) }
        }
    }

    private func field(_ pointer: String) -> String { pointer.isEmpty ? "body" : pointer }

    static func types(_ type: JSONValue?) -> [String] {
        switch type {
        case .string(let name)?: [name]
        case .array(let names)?: names.compactMap { if case .string(let name) = $0 { name } else { nil } }
        default: []
        }
    }

    static func value(_ value: JSONValue, is type: String) -> Bool {
        switch (type, value) {
        case ("number", .integer), ("number", .number): true
        case ("integer", .integer): true
        case ("integer", .number(let number)): number.rounded() == number && abs(number) < 9.0e15
        default: value.typeName == type
        }
    }

    static func describe(_ type: String) -> String {
        switch type {
        case "string": "a string"
        case "integer": "a whole number"
        case "number": "a number"
        case "boolean": "true or false"
        case "array": "an array"
        case "object": "an object"
        default: type
        }
    }

    /// What is wrong with `text` as a value of `format`, or nil.
    static func formatProblem(_ text: String, _ format: String) -> String? {
        switch format {
        case "uuid":
            return UUID(uuidString: text) == nil ? "must be a UUID" : nil
        case "date-time":
            return (try? MillisecondDateTranscoder().decode(text)) == nil ? "must be an RFC 3339 date-time (2026-03-10T09:30:00Z)" : nil
        case "date":
            return CalendarDate(text) == nil ? "must be a date (2026-03-10)" : nil
        case "uri":
            return URL(string: text)?.scheme == nil ? "must be an absolute URL" : nil
        default:
            return nil
        }
    }

    static func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func format(_ number: Double) -> String {
        number.rounded() == number ? String(Int64(number)) : String(number)
    }
}

/// A `yyyy-mm-dd` date that exists in the proleptic Gregorian calendar.
struct CalendarDate {
    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return nil }
    }
}

/// A compiled `pattern`, shared between requests (NSRegularExpression is immutable once made).
final class NSRegularExpressionBox: @unchecked Sendable {
    private let expression: NSRegularExpression?

    init(_ pattern: String) { expression = try? NSRegularExpression(pattern: Self.ecmaScriptAnchors(pattern)) }

    /// `pattern` with each `$` outside a character class read as ECMA-262 reads it, the end of the
    /// text (`\z`): ICU's `$` also matches before a final line break, which would let `"agent\n"`
    /// pass `^[a-z0-9]+$`.
    static func ecmaScriptAnchors(_ pattern: String) -> String {
        var result = ""
        var escaped = false
        var inClass = false
        for character in pattern {
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "[" {
                inClass = true
            } else if character == "]" {
                inClass = false
            } else if character == "$" && !inClass {
                result += "\\z"
                continue
            }
            result.append(character)
        }
        return result
    }

    func matches(_ text: String) -> Bool {
        guard let expression else { return true }
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
