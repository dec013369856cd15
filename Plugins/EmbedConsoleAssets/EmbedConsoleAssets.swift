import Foundation
import PackagePlugin

/// Embeds the console's templates, stylesheet, script and message catalogues (every file of the
/// target that is not Swift) in it as `ConsoleAssetFiles` at build time, so the one executable
/// serves them with nothing beside it.
@main
struct EmbedConsoleAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        // The target's folder: where its one Swift file lies.
        guard let anchor = target.sourceFiles.first(where: { $0.url.lastPathComponent == "ConsoleAssets.swift" })?.url else {
            throw EmbedAssetsError(description: "target \(target.name) has no ConsoleAssets.swift")
        }
        let root = anchor.deletingLastPathComponent().standardizedFileURL.path + "/"
        let assets = target.sourceFiles.map(\.url).filter { $0.pathExtension != "swift" }.sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("ConsoleAssetFiles.swift")
        var arguments = [output.path, root]
        arguments += assets.map(\.path)
        return [.buildCommand(
            displayName: "Embedding \(assets.count) console assets in \(target.name)",
            executable: try context.tool(named: "redress-embed-assets").url,
            arguments: arguments,
            inputFiles: assets,
            outputFiles: [output])]
    }
}

struct EmbedAssetsError: Error, CustomStringConvertible {
    let description: String
}
