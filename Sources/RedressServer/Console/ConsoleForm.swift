import Foundation
import Hummingbird

/// A submitted form (`application/x-www-form-urlencoded`, or `multipart/form-data` with files):
/// each field's values in order.
struct ConsoleForm: Sendable {
    /// The largest form the console reads.
    static let maximumBytes = 256 * 1024
    private(set) var fields: [String: [String]] = [:]

    /// The form of the request being handled, read once by ``ConsoleSessionMiddleware``.
    @TaskLocal static var current = ConsoleForm(encoded: "")

    /// Parses `text` as URL-encoded pairs.
    init(encoded text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decoded(parts[0])
            guard !name.isEmpty else { continue }
            fields[name, default: []].append(parts.count > 1 ? Self.decoded(parts[1]) : "")
        }
    }

    /// The largest form with a file the console reads (evidence: the API takes 1.5 MB of JSON).
    static let maximumUploadBytes = 1_200_000

    /// Files sent with a `multipart/form-data` form, by field name.
    private(set) var files: [String: ConsoleUpload.File] = [:]

    /// Reads the form of `request` (URL-encoded, or multipart with files): a 413 beyond
    /// ``maximumBytes`` (``maximumUploadBytes`` with files), a 415 for another media type, a 400
    /// for a multipart body that breaks its framing.
    static func read(_ request: Request, context: some RequestContext) async throws -> ConsoleForm {
        let type = request.headers[.contentType] ?? ""
        var request = request
        if type.lowercased().hasPrefix("multipart/form-data") {
            let buffer = try await request.collectBody(upTo: maximumUploadBytes)
            guard let upload = ConsoleUpload(contentType: type, body: buffer) else {
                throw Problem.invalidRequest([.init(field: "body", message: "is not a multipart form")])
            }
            var form = ConsoleForm(encoded: "")
            form.fields = upload.fields
            form.files = upload.files
            return form
        }
        guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw Problem(kind: "unsupported-media-type", title: "Unsupported media type", status: .unsupportedMediaType,
                          detail: "Send the form as application/x-www-form-urlencoded.")
        }
        let buffer = try await request.collectBody(upTo: maximumBytes)
        return ConsoleForm(encoded: String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// The field's first value, trimmed; nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every non-blank value of the field.
    func all(_ name: String) -> [String] {
        (fields[name] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    private static func decoded(_ part: Substring) -> String {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }
}
