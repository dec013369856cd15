import Foundation

/// Charts drawn on the server as SVG, so the console needs no script to show them: horizontal
/// bars (with an optional target line) and a column trend. Labels are escaped; the drawing has a
/// title and description for screen readers, and pages show the same figures in a table.
enum SVGChart {
    /// One bar or column: its label and value.
    struct Datum: Equatable {
        var label: String
        var value: Double
        /// Written instead of the value (`nothing due` for a rate of nothing).
        var text: String? = nil
    }

    /// The drawing's width in its own units (it scales to its box).
    static let width = 640.0

    /// Horizontal bars, longest for the largest value (or for `maximum`); `target` (in the
    /// values' unit) draws a dashed line; `percent` writes values as percentages of 1.
    static func bars(title: String, _ data: [Datum], maximum: Double? = nil, target: Double? = nil, targetLabel: String = "",
                     percent: Bool = false) -> String {
        let rowHeight = 28.0, labelWidth = 200.0, valueWidth = 70.0
        let plot = width - labelWidth - valueWidth
        let top = max(maximum ?? 0, data.map(\.value).max() ?? 0, target ?? 0, percent ? 1 : 0)
        let height = Double(max(data.count, 1)) * rowHeight + 24
        var parts = [header(title: title, height: height)]
        for (index, datum) in data.enumerated() {
            let y = Double(index) * rowHeight + 4
            let length = top > 0 ? plot * datum.value / top : 0
            parts.append("<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\" class=\"chart-label\">\(escaped(clipped(datum.label)))</text>")
            parts.append("<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(format(length))\" height=\"\(rowHeight - 10)\" class=\"chart-bar\"/>")
            parts.append("<text x=\"\(format(labelWidth + length + 6))\" y=\"\(y + 17)\" class=\"chart-value\">\(escaped(datum.text ?? value(datum.value, percent: percent)))</text>")
        }
        if let target, top > 0 {
            let x = format(labelWidth + plot * target / top)
            parts.append("<line x1=\"\(x)\" y1=\"0\" x2=\"\(x)\" y2=\"\(format(height - 20))\" class=\"chart-target\"/>")
            parts.append("<text x=\"\(x)\" y=\"\(format(height - 6))\" text-anchor=\"middle\" class=\"chart-value\">\(escaped(targetLabel)) \(value(target, percent: percent))</text>")
        }
        if data.isEmpty { parts.append("<text x=\"\(labelWidth)\" y=\"20\" class=\"chart-label\">—</text>") }
        parts.append("</svg>")
        return parts.joined()
    }

    /// Columns in order (a monthly trend), each labelled below and valued above.
    static func columns(title: String, _ data: [Datum]) -> String {
        let height = 220.0, bottom = 190.0, left = 10.0
        let slot = (width - left) / Double(max(data.count, 1))
        let top = max(data.map(\.value).max() ?? 0, 1)
        var parts = [header(title: title, height: height)]
        for (index, datum) in data.enumerated() {
            let columnHeight = (bottom - 30) * datum.value / top
            let x = left + Double(index) * slot
            parts.append("<rect x=\"\(format(x + slot * 0.15))\" y=\"\(format(bottom - columnHeight))\" width=\"\(format(slot * 0.7))\" height=\"\(format(columnHeight))\" class=\"chart-bar\"/>")
            parts.append("<text x=\"\(format(x + slot / 2))\" y=\"\(format(bottom - columnHeight - 6))\" text-anchor=\"middle\" class=\"chart-value\">\(value(datum.value, percent: false))</text>")
            parts.append("<text x=\"\(format(x + slot / 2))\" y=\"\(format(bottom + 18))\" text-anchor=\"middle\" class=\"chart-label\">\(escaped(datum.label))</text>")
        }
        parts.append("</svg>")
        return parts.joined()
    }

    private static func header(title: String, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"chart\" viewBox=\"0 0 \(format(width)) \(format(height))\" width=\"\(format(width))\" height=\"\(format(height))\"><title>\(escaped(title))</title>"
    }

    /// A figure as the charts and their tables write it: whole numbers plainly, rates as percentages.
    static func value(_ value: Double, percent: Bool) -> String {
        if percent { return String(format: "%.1f%%", value * 100) }
        if let whole = Int(exactly: value) { return String(whole) }
        return value.isFinite ? String(format: "%.2f", value) : "—"
    }

    private static func format(_ number: Double) -> String { String(format: "%.1f", number) }

    private static func clipped(_ label: String) -> String { label.count > 24 ? String(label.prefix(23)) + "…" : label }

    /// `text` safe inside SVG text and attributes.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
