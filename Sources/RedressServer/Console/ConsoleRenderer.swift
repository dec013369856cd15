import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import RedressConsoleAssets

/// Renders the console's pages from its Mustache templates (`templates/*.mustache`, each page a
/// child of `layout`), with the words of the reader's language under `t`.
struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    let catalogue: MessageCatalogue

    /// The renderer of the embedded templates; a template that does not parse stops the start.
    static let shared: ConsoleRenderer = {
        var library = MustacheLibrary()
        for path in ConsoleAssets.paths(under: "templates/") where path.hasSuffix(".mustache") {
            let name = String(path.dropFirst("templates/".count).dropLast(".mustache".count))
            do {
                try library.register(ConsoleAssets.text(path) ?? "", named: name)
            } catch {
                preconditionFailure("console template \(path) does not parse: \(error)")
            }
        }
        return ConsoleRenderer(library: library, catalogue: .shared)
    }()

    /// A complete page response of template `name` for `view`; a template that is not there is a 500.
    func page(_ name: String, _ view: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = library.render(view, withTemplate: name) else { throw ConsoleRendererError.noTemplate(name) }
        return Response(status: status, headers: ConsoleHeaders.page, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// A page the console cannot render.
enum ConsoleRendererError: Error {
    /// No template of this name is embedded.
    case noTemplate(String)
}
