import Foundation
import PackagePlugin

/// Embeds the target's `openapi.yaml` in it as `OpenAPIDocumentText` (YAML and JSON) at build time.
@main
struct EmbedOpenAPIDocument: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        guard let document = target.sourceFiles.first(where: { $0.url.lastPathComponent == "openapi.yaml" })?.url else {
            throw EmbedPluginError(description: "target \(target.name) has no openapi.yaml")
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("OpenAPIDocumentText.swift")
        return [.buildCommand(
            displayName: "Embedding \(document.lastPathComponent) in \(target.name)",
            executable: try context.tool(named: "redress-embed-openapi").url,
            arguments: [document.path, output.path],
            inputFiles: [document],
            outputFiles: [output])]
    }
}

struct EmbedPluginError: Error, CustomStringConvertible {
    let description: String
}
