import Foundation
@testable import RedressServer
import Testing

/// What the server is built from at start (the contract, the console's templates) either serves or
/// stops the start with an error naming what is wrong; nothing about it traps.
@Suite("Server set-up")
struct ServerSetupTests {
    @Test func theEmbeddedContractAndTemplatesServe() throws {
        let contract = try ContractDocument.served.get()
        for id in ["exportComplaints", "exportComplaintsByPhone", "exportReport", "getEvidenceContent", "createComplaint"] {
            #expect(try contract.operation(id: id).path.hasPrefix("/v1/"))
        }
        _ = try ConsoleRenderer.embedded.get()
    }

    @Test(arguments: ["[]", "\"openapi\"", "3.1", "{\"openapi\": ", ""])
    func aContractThatIsNotAJSONObjectIsRefused(_ text: String) {
        #expect(throws: ServerSetupError.contractNotAnObject) { try ContractDocument(json: Data(text.utf8)) }
    }

    @Test func anOperationTheContractLacksIsNamed() throws {
        let contract = try ContractDocument(json: Data(#"{"paths": {"/v1/x": {"get": {"operationId": "getX"}}}}"#.utf8))
        #expect(try contract.operation(id: "getX").path == "/v1/x")
        #expect(throws: ServerSetupError.contractLacksOperation("exportReport")) { try contract.operation(id: "exportReport") }
    }

    @Test func aTemplateThatDoesNotParseIsNamed() throws {
        let good = (path: "templates/fine.mustache", text: "<p>{{#items}}{{name}}{{/items}}</p>")
        let renderer = try ConsoleRenderer(templates: [good])
        #expect(renderer.library.render(["items": [["name": "a"], ["name": "b"]]], withTemplate: "fine") == "<p>ab</p>")
        let broken = (path: "templates/broken.mustache", text: "<p>{{#items}}{{name}}</p>")
        #expect {
            try ConsoleRenderer(templates: [good, broken])
        } throws: { error in
            guard case .templateDoesNotParse(let path, let reason)? = error as? ServerSetupError else { return false }
            return path == "templates/broken.mustache" && !reason.isEmpty
        }
    }
}
