import Foundation

/// A message's wording with `{{placeholder}}` slots, checked against the placeholders its event
/// allows when it is made, and filled in when a message is sent. Slots hold plain names only: no
/// sections, no escaping rules, nothing a template could run.
public struct MessageTemplate: Sendable, Equatable {
    /// Why a text is not a template for its event.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case unknownPlaceholder(String)
        case unclosedPlaceholder

        public var description: String {
            switch self {
            case .unknownPlaceholder(let name): return "names the unknown placeholder {{\(name)}}"
            case .unclosedPlaceholder: return "opens a placeholder with {{ and does not close it with }}"
            }
        }
    }

    private enum Piece: Sendable, Equatable {
        case text(Substring)
        case slot(String)
    }

    private let pieces: [Piece]

    /// Parses `text`, allowing only `placeholders`.
    public init(_ text: String, placeholders: Set<String>) throws(Problem) {
        var pieces: [Piece] = []
        var rest = text[...]
        // The standard library's search, not Foundation's (which goes through NSString).
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(rest[..<open.lowerBound])) }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else { throw .unclosedPlaceholder }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard placeholders.contains(name) else { throw .unknownPlaceholder(String(name.prefix(40))) }
            pieces.append(.slot(name))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(rest)) }
        self.pieces = pieces
    }

    /// The text with every slot filled from `values` (an empty string where a value is missing).
    public func render(_ values: [String: String]) -> String {
        pieces.map { piece in
            switch piece {
            case .text(let text): return String(text)
            case .slot(let name): return values[name] ?? ""
            }
        }.joined()
    }
}
