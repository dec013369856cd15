import ArgumentParser
import Foundation
import RedressStore

/// How operators' commands answer: a refusal names the option at fault on standard error and
/// exits 64 with nothing changed; listings print aligned columns, or JSON when asked.
enum OperatorOutput {
    /// Runs `body`, turning an ``OperatorRefusal`` into its message and exit status 64.
    static func refusing<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let refusal as OperatorRefusal {
            FileHandle.standardError.write(Data("error: \(refusal)\n".utf8))
            throw ExitCode.validationFailure
        }
    }

    /// Rows under a header, each column as wide as its widest cell.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { cells in
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `value` as pretty-printed JSON with ISO 8601 dates.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
