import Foundation
import Yams

/// Writes a Swift file that holds an OpenAPI document as YAML (as written) and as JSON, so the
/// server serves the very file its types are generated from. Run by the EmbedOpenAPIDocument
/// build plugin: `redress-embed-openapi INPUT.yaml OUTPUT.swift`.
@main
enum EmbedOpenAPI {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: redress-embed-openapi INPUT.yaml OUTPUT.swift\n".utf8))
            exit(2)
        }
        let yaml = try String(contentsOf: URL(fileURLWithPath: arguments[1]), encoding: .utf8)
        guard let document = try Yams.load(yaml: yaml) else { throw EmbedError("\(arguments[1]) is empty") }
        let json = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        let source = """
            // Generated from openapi.yaml by the EmbedOpenAPIDocument build plugin; not committed.

            /// The API's OpenAPI document, as written (`yaml`) and as JSON (`json`).
            public enum OpenAPIDocumentText {
                /// `openapi.yaml`, byte for byte.
                public static let yaml = \(literal(yaml))
                /// The same document as JSON, keys sorted.
                public static let json = \(literal(String(decoding: json, as: UTF8.self)))
            }

            """
        try Data(source.utf8).write(to: URL(fileURLWithPath: arguments[2]), options: .atomic)
    }

    /// A raw multi-line string literal of `text` whose delimiter occurs nowhere in it.
    static func literal(_ text: String) -> String {
        var hashes = "#"
        while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
        return "\(hashes)\"\"\"\n\(text)\(text.hasSuffix("\n") ? "" : "\n")\"\"\"\(hashes)"
    }
}

struct EmbedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
