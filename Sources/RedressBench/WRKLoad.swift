import Foundation
import LocalPostgres

/// Runs `wrk` (a load generator written in C, as pgbench is) against the API's intake from a
/// process of its own, so that the HTTP client's work is not the measured process's, as
/// pgbench's is not the database's: `clients` connections on up to two threads, each posting a
/// complaint with a fresh phone number as soon as the last one is answered.
struct WRKLoad {
    let base: String
    let clients: Int
    let seconds: Int

    /// Requests per second, the p50 and p99 latency in ms, the connections wrk failed to open (and
    /// opened again) and the requests answered; throws when any intake was not answered 201.
    func intake(token: String, categoryID: UUID) async throws -> Result {
        try await run(Self.script(token: token, categoryID: categoryID), path: "/v1/complaints", what: "intakes", status: 201)
    }

    /// The same figures for GET `path` (with `token` as its bearer token, when given); throws when
    /// any request was not answered 200.
    func get(_ path: String, token: String?) async throws -> Result {
        let authorization = token.map { #"["Authorization"] = [==[Bearer \#($0)]==]"# } ?? ""
        let script = Self.script(request: #"return wrk.format("GET", nil, {\#(authorization)})"#, expecting: 200)
        return try await run(script, path: path, what: "requests", status: 200)
    }

    private func run(_ script: String, path: String, what: String, status expected: Int) async throws -> Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("redress-bench-wrk-\(UUID().uuidString).lua")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, text) = try await Subprocess.run([
            "/usr/bin/env", "wrk", "-t", String(min(clients, 2)), "-c", String(clients), "-d", "\(seconds)s", "-s", file.path, base + path,
        ])
        guard status == 0, let line = text.split(separator: "\n").first(where: { $0.hasPrefix("redress-wrk ") }) else {
            throw BenchError("wrk failed: \(text)")
        }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count == 6 else { throw BenchError("wrk printed \(line)") }
        let (requests, microseconds, p50, p99, unanswered) = (fields[0], fields[1], fields[2], fields[3], fields[4])
        guard unanswered == 0 else { throw BenchError("wrk: \(Int(unanswered)) \(what) not answered \(expected): \(text)") }
        return Result(throughput: requests / (microseconds / 1e6), p50: p50 / 1000, p99: p99 / 1000, reconnects: Int(fields[5]),
                      requests: Int(requests))
    }

    /// What one run of wrk measured.
    struct Result {
        var throughput: Double
        var p50: Double
        var p99: Double
        var reconnects: Int
        var requests: Int
    }

    /// The intake's Lua script: a complaint with a fresh phone number each time.
    static func script(token: String, categoryID: UUID) -> String {
        script(request: """
            -- Long brackets and concatenation: nothing in the fixed text is read as a pattern or an escape.
            local body = [==[{"channel":"phone","complainant":{"name":"Bench Customer","phone":"+86 ]==]
                .. tostring(math.random(1, 999999999))
                .. [==["},"description":"\(APILoad.description)","desiredOutcome":"Refund","categoryId":"\(categoryID.uuidString.lowercased())"}]==]
            return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = [==[Bearer \(token)]==]}, body)
            """, expecting: 201)
    }

    /// A Lua script: `request` as the body of wrk's `request()`, a check of every answer against
    /// `expecting`, and one summary line.
    static func script(request: String, expecting status: Int) -> String {
        """
        local thread_number = 0
        local threads = {}
        function setup(thread)
            thread_number = thread_number + 1
            thread:set("seed", thread_number)
            table.insert(threads, thread)
        end
        function init(args)
            math.randomseed(os.time() * 100 + seed)
            failed = 0
        end
        function request()
        \(request)
        end
        function response(status, headers, body)
            if status ~= \(status) then failed = failed + 1 end
        end
        function done(summary, latency, requests)
            local failures = summary.errors.read + summary.errors.write + summary.errors.timeout
            for _, thread in ipairs(threads) do failures = failures + thread:get("failed") end
            io.write(string.format("redress-wrk %d %d %.1f %.1f %d %d\\n", summary.requests, summary.duration,
                                   latency:percentile(50), latency:percentile(99), failures, summary.errors.connect))
        end
        """
    }
}
