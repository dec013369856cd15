import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `redress probe URL`: exits 0 when `GET URL` answers 2xx within the timeout, else 1. For
/// container health checks in an image that has no curl.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe", abstract: "Check that a URL answers 2xx (health checks).")

    @Argument(help: "The URL to GET, e.g. http://127.0.0.1:8080/readyz.")
    var url: String

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Int64 = 5

    func run() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var healthy = false
        do {
            let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(timeout))
            _ = try await response.body.collect(upTo: 1 << 20)
            healthy = (200...299).contains(response.status.code)
            if !healthy { FileHandle.standardError.write(Data("\(url) answered \(response.status)\n".utf8)) }
        } catch {
            FileHandle.standardError.write(Data("\(url): \(error)\n".utf8))
        }
        try await http.shutdown()
        if !healthy { throw ExitCode.failure }
    }
}
