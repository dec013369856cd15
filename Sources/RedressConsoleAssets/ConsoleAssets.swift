/// The web console's templates (`templates/*.mustache`), its stylesheet and script (`static/`)
/// and its message catalogues (`catalogue/<language>.json`), embedded at build time.
public enum ConsoleAssets {
    /// The text of the asset at `path`, if there is one.
    public static func text(_ path: String) -> String? { ConsoleAssetFiles.files[path] }

    /// The paths of every asset under `folder` (`templates/`).
    public static func paths(under folder: String) -> [String] {
        ConsoleAssetFiles.files.keys.filter { $0.hasPrefix(folder) }.sorted()
    }
}
