import Foundation
import OpenAPIRuntime

/// How the API spells dates on the wire, for the server and the generated client alike: RFC 3339
/// in UTC with milliseconds (`2026-03-10T02:30:00.125Z`), read with or without the fraction.
public struct MillisecondDateTranscoder: DateTranscoder {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle()

    public init() {}

    public func encode(_ date: Date) throws -> String {
        Self.withFraction.format(date)
    }

    public func decode(_ string: String) throws -> Date {
        if let date = try? Self.withFraction.parse(string) { return date }
        if let date = try? Self.withoutFraction.parse(string) { return date }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(string) is not an RFC 3339 date-time"))
    }
}

extension Configuration {
    /// The configuration every generated encoder and decoder of this API uses.
    public static let redress = Configuration(dateTranscoder: MillisecondDateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
}
