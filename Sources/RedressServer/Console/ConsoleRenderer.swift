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

    /// The renderer of the embedded templates, made once; a template that does not parse stops the start.
    static let embedded: Result<ConsoleRenderer, ServerSetupError> = Result { () throws(ServerSetupError) in
        try ConsoleRenderer(templates: ConsoleAssets.paths(under: "templates/").filter { $0.hasSuffix(".mustache") }.map { path in
            (path: path, text: ConsoleAssets.text(path) ?? "")
        })
    }

    /// A renderer of `templates` (each `templates/NAME.mustache` with its text), named NAME.
    init(templates: [(path: String, text: String)], catalogue: MessageCatalogue = .shared) throws(ServerSetupError) {
        var library = MustacheLibrary()
        for (path, text) in templates {
            let name = String(path.dropFirst("templates/".count).dropLast(".mustache".count))
            do {
                try library.register(text, named: name)
            } catch {
                throw .templateDoesNotParse(path: path, reason: "\(error)")
            }
        }
        self.library = library
        self.catalogue = catalogue
    }

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
