import AsyncHTTPClient
import Foundation
import LocalPostgres
import NIOCore
import RedressStore
import RedressTestSupport
import Testing

/// `redress serve` stops as a whole: the page feed and its listener stop with the service group.
@Suite("Shutting serve down with open page streams")
struct ServeShutdownTests {
    @Test func serveExitsPromptlyOnSIGTERMWithPageStreamsOpen() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let environment = ["DATABASE_URL": database.serviceURL, "SCHEDULER_DATABASE_URL": database.schedulerURL,
                           "METRICS_PORT": "0", "LOG_LEVEL": "info", "SCHEDULER": "on",
                           "SCHEDULER_POLL_SECONDS": "1", "DATABASE_POOL_SIZE": "4"]
            .merging(PersonalDataKeys.generate().settings) { $1 }
        let instance = try MultiInstanceTests.start(["serve", "--host", "127.0.0.1", "--port", "0"], environment)
        var exited = false
        defer {
            if !exited {
                kill(instance.pid, SIGKILL)
                _ = try? Subprocess.wait(instance.pid)
            }
            unlink(instance.log)
        }
        let port = try await instance.port()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let token = try await MultiInstanceTests.signIn(http, port: port, branch: org.a.code)
            var streams: [HTTPClientResponse] = []
            for _ in 0..<3 {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/pages/stream")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let response = try await http.execute(request, timeout: .seconds(30))
                #expect(response.status == .ok)
                streams.append(response)
            }
            let stopping = ContinuousClock.now
            kill(instance.pid, SIGTERM)
            // The process exits, well before a supervisor would give up and kill it.
            var status: Int32 = 0
            while waitpid(instance.pid, &status, WNOHANG) == 0 && ContinuousClock.now - stopping < .seconds(20) {
                try await Task.sleep(for: .milliseconds(50))
            }
            exited = kill(instance.pid, 0) != 0
            print("shutdown: serve exited \(ContinuousClock.now - stopping) after SIGTERM with \(streams.count) page streams open")
            #expect(exited, "serve exited within 20 s of SIGTERM with page streams open")
            #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "serve exited cleanly")
            withExtendedLifetime(streams) {}
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}
