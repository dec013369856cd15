import AsyncHTTPClient
import Foundation
import NIOCore
import Postgres

/// Drives the HTTP API with AsyncHTTPClient.
struct APILoad {
    let http: HTTPClient
    let base: String

    static let description = "话费账单重复扣费 — charged twice for the same month; please refund the second charge."

    /// Signs a demo user in and returns the session token.
    func signIn(branch: String, login: String, password: String = "redress-demo-password") async throws -> String {
        let body = #"{"branch":"\#(branch)","login":"\#(login)","password":"\#(password)"}"#
        let (status, data) = try await send("POST", "/v1/auth/sign-in", token: nil, body: body)
        guard status == 201, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let token = object["token"] as? String else { throw BenchError("sign-in of \(login) answered \(status)") }
        return token
    }

    /// `clients` concurrent loops of intake for `seconds`; throughput in requests per second.
    func intake(token: String, categoryID: UUID, clients: Int, seconds: Int) async throws -> (throughput: Double, latency: LatencySamples) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let samples = try await withThrowingTaskGroup(of: LatencySamples.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var samples = LatencySamples()
                    while ContinuousClock.now < deadline {
                        let phone = "+86 \(Int.random(in: 1...999_999_999))"
                        let body = #"{"channel":"phone","complainant":{"name":"Bench Customer","phone":"\#(phone)"},"description":"\#(Self.description)","desiredOutcome":"Refund","categoryId":"\#(categoryID.uuidString.lowercased())"}"#
                        let status = try await samples.measure { try await send("POST", "/v1/complaints", token: token, body: body).status }
                        guard status == 201 else { throw BenchError("intake answered \(status)") }
                    }
                    return samples
                }
            }
            var all = LatencySamples()
            for try await part in group { all.merge(part) }
            return all
        }
        let elapsed = ContinuousClock.now - started
        let secondsElapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Double(samples.milliseconds.count) / secondsElapsed, samples)
    }

    /// The round trips this process's connections make per intake (everything else the process
    /// does meanwhile counted too), over `warmUp` intakes one at a time, which prepare their
    /// statements on connections that have not run them yet, and then over `requests` more, as a
    /// running service makes them.
    func roundTripsPerIntake(token: String, categoryID: UUID, requests: Int, warmUp: Int) async throws -> (first: Double, warm: Double) {
        precondition(warmUp > 0 && requests > 0, "both counts are averages")
        var counts: [Int] = [PGRoundTrips.total]
        for index in 0..<(warmUp + requests) {
            let body = #"{"channel":"phone","complainant":{"name":"Bench Customer","phone":"+86 \#(Int.random(in: 1...999_999_999))"},"description":"\#(Self.description)","desiredOutcome":"Refund","categoryId":"\#(categoryID.uuidString.lowercased())"}"#
            let status = try await send("POST", "/v1/complaints", token: token, body: body).status
            guard status == 201 else { throw BenchError("intake answered \(status)") }
            if index + 1 == warmUp { counts.append(PGRoundTrips.total) }
        }
        counts.append(PGRoundTrips.total)
        return (Double(counts[1] - counts[0]) / Double(warmUp), Double(counts[2] - counts[1]) / Double(requests))
    }

    /// Latencies of the department head's list view, one request at a time.
    func listDepartment(token: String, requests: Int) async throws -> LatencySamples {
        var samples = LatencySamples()
        for index in -50..<requests {
            let started = ContinuousClock.now
            let (status, _) = try await send("GET", "/v1/complaints?myDepartments=true&limit=50", token: token, body: nil)
            guard status == 200 else { throw BenchError("list answered \(status)") }
            if index >= 0 { samples.record(ContinuousClock.now - started) }
        }
        return samples
    }

    /// `GET path` of the console, as the browser of the session `session` (its token) asks for it.
    func page(_ path: String, session: String) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Cookie", value: "redress_console=\(session)")
        let response = try await http.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 4 * 1024 * 1024)
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }

    func send(_ method: String, _ path: String, token: String?, body: String?) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 4 * 1024 * 1024)
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }
}
