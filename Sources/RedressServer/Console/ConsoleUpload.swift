import Foundation
import MultipartKit
import NIOCore

/// The parts of a `multipart/form-data` body (RFC 7578), read with MultipartKit's parser: each
/// field's text, and each file with its name and media type.
struct ConsoleUpload: Sendable {
    /// A file sent in the form.
    struct File: Sendable {
        var filename: String?
        var contentType: String?
        var bytes: Data
    }

    var fields: [String: [String]] = [:]
    var files: [String: File] = [:]

    /// Parses `body` with the boundary of `contentType`; nil when the body is not multipart or breaks its framing.
    init?(contentType: String, body: ByteBuffer) {
        guard let boundary = Self.parameter("boundary", of: contentType), !boundary.isEmpty else { return nil }
        let parser = MultipartParser(boundary: boundary)
        var parts: [(headers: [String: String], body: Data)] = []
        var headers: [String: String] = [:]
        var bytes = Data()
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in bytes.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = {
            parts.append((headers, bytes))
            headers = [:]
            bytes = Data()
        }
        do { try parser.execute(body) } catch { return nil }
        for part in parts {
            guard let disposition = part.headers["content-disposition"], let name = Self.parameter("name", of: disposition) else { continue }
            if let filename = Self.parameter("filename", of: disposition) {
                files[name] = File(filename: filename.isEmpty ? nil : filename, contentType: part.headers["content-type"], bytes: part.body)
            } else {
                fields[name, default: []].append(String(decoding: part.body, as: UTF8.self))
            }
        }
    }

    /// The value of `name=` in a header such as `form-data; name="file"; filename="a.pdf"`.
    static func parameter(_ name: String, of header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
