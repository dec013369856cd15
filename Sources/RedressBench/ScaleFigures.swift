import Foundation

/// One size's figures, in the order they were measured.
struct ScaleFigures: Codable {
    /// One figure.
    struct Figure: Codable {
        let name: String
        let value: Double
        let unit: String
        let higherIsBetter: Bool
    }

    let complaints: Int
    private(set) var figures: [Figure] = []

    init(complaints: Int) { self.complaints = complaints }

    mutating func record(_ name: String, _ value: Double, unit: String, higherIsBetter: Bool = false) {
        figures.append(Figure(name: name, value: value, unit: unit, higherIsBetter: higherIsBetter))
    }

    /// A latency's median and 99th percentile, as two figures. The median shows the usual request;
    /// the 99th percentile, over a few hundred requests, mostly the first reads of rarely read pages.
    mutating func record(_ name: String, _ samples: LatencySamples) {
        record("\(name), p50", samples.percentile(0.5), unit: "ms")
        record("\(name), p99", samples.percentile(0.99), unit: "ms")
    }

    /// The sizes a file keeps (none when there is no file yet).
    static func load(from path: String) throws -> [ScaleFigures] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return try JSONDecoder().decode([ScaleFigures].self, from: data)
    }

    /// Keeps `sizes` in the file, replacing what it held.
    static func save(_ sizes: [ScaleFigures], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(sizes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Every figure at every size (by name; "-" where a size has none), with the last size's ratio
    /// to the first (for throughput, the first's to the last, so that above 1 is worse either way).
    static func printComparison(_ sizes: [ScaleFigures]) {
        guard let first = sizes.first, let last = sizes.last else { return }
        var names = first.figures
        for size in sizes.dropFirst() {
            names += size.figures.filter { figure in !names.contains { $0.name == figure.name } }
        }
        let width = max(46, names.map(\.name.count).max() ?? 0)
        var header = "figure".padding(toLength: width, withPad: " ", startingAt: 0)
        for size in sizes { header += " " + rightAligned("at \(size.complaints)", 14) }
        print(header + (sizes.count > 1 ? "   growth" : ""))
        for figure in names {
            var line = figure.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let unit = figure.unit.padding(toLength: 2, withPad: " ", startingAt: 0)
            for size in sizes {
                let value = size.figures.first { $0.name == figure.name }?.value
                line += " " + rightAligned(value.map { String(format: "%.1f", $0) } ?? "-", 11) + " " + unit
            }
            if sizes.count > 1, let firstValue = first.figures.first(where: { $0.name == figure.name })?.value,
               let lastValue = last.figures.first(where: { $0.name == figure.name })?.value {
                let growth = figure.higherIsBetter ? firstValue / max(lastValue, 0.001) : lastValue / max(firstValue, 0.001)
                line += String(format: "   %5.2f×", growth)
            }
            print(line)
        }
    }

    /// `text` with spaces before it up to `width` characters (`String(format:)` pads no `%@`).
    private static func rightAligned(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
