import ArgumentParser
import Foundation
import Postgres
import RedressCore
import RedressStore

/// `redress-bench messages`: confirmations fanned out to a branch's notification gateway on loopback.
///
/// `--messages` complaints are taken in over HTTP, each with a confirmation for the gateway. A
/// delivering process (this program, `deliver`, the scheduler's ``WebhookDeliverer``) then
/// delivers them, and the rate from its start to the last delivery is reported. Then half as many
/// again, and the delivering process is killed (SIGKILL) once a quarter of them arrived; a new one
/// finishes after the dead one's lease ran out. Reported: whether every message arrived, how many
/// arrived twice, and whether each carried its own delivery id every time.
struct MessageBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "messages", abstract: "Messages to complainants through a loopback gateway.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Confirmations delivered in the throughput run (the kill run adds half as many).")
    var messages = 10_000

    @Option(help: "Concurrent intakes while the messages are made.")
    var clients = 16

    func run() async throws {
        let (owner, service) = try await database.openMigrated(ownerConnections: 2, serviceConnections: clients)
        guard let schedulerURL = database.schedulerURL ?? ProcessInfo.processInfo.environment["SCHEDULER_DATABASE_URL"] else {
            throw ValidationError("pass --scheduler-url (or set SCHEDULER_DATABASE_URL)")
        }
        _ = try await DemoSeeder(ownerPool: owner, passwordHashCost: 4).seed()
        let keys = PersonalDataKeys.generate()
        let store = StoreConfiguration(passwordHashCost: 4, personalDataKeys: keys)
        let migrator = PGMigrator(migrations: try PGMigration.load(from: URL(fileURLWithPath: database.sqlDirectory)))
        let receiver = GatewayReceiver()
        try await receiver.serve { url in
            let secret = CredentialSecret(kind: .webhookSecret).token
            receiver.use(secret: secret)
            try await owner.query("""
                INSERT INTO webhooks (branch_id, kind, url, secret) SELECT id, 'gateway', \(url), \(secret) FROM branches WHERE code = 'north'
                """)
            try await BenchServer.serving(pool: service, owner: owner, migrator: migrator, store: store) { api in
                let agent = try await api.signIn(branch: "north", login: "agent")
                let child = DeliveringProcess(schedulerURL: schedulerURL, keys: keys)

                let first = try await intake(messages, api: api, token: agent)
                var running = try child.start()
                let started = ContinuousClock.now
                try await waitUntil { try await Self.settled(owner) == messages }
                let elapsed = (ContinuousClock.now - started).inSeconds
                try await running.terminate()
                print("\(messages) confirmations: made through intake in \(String(format: "%.1f", first.seconds)) s; "
                      + String(format: "delivered in %.2f s, %.0f per second (goal at least 500)", elapsed, Double(messages) / elapsed))

                let more = messages / 2
                let second = try await intake(more, api: api, token: agent)
                running = try child.start()
                try await waitUntil { receiver.received(of: second.ids) >= more / 4 }
                try await running.kill()
                let atKill = receiver.received(of: second.ids)
                running = try child.start()
                try await waitUntil(timeout: .seconds(180)) { try await Self.settled(owner) == messages + more }
                try await running.terminate()
                let figures = receiver.figures
                let states = try await owner.query("""
                    SELECT state, count(*)::integer FROM complainant_messages GROUP BY state ORDER BY state
                    """).map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int.self, at: 1))" }
                print("killed with \(atKill) of \(more) received; afterwards: \(receiver.received(of: second.ids)) of \(more) received, "
                      + "\(figures.distinct) of \(messages + more) delivery ids in all, \(figures.total - figures.distinct) repeats, "
                      + "\(figures.mismatched) with another id in the body, \(figures.refused) refused signatures; outbox: "
                      + states.joined(separator: ", "))
                guard figures.distinct == messages + more, figures.mismatched == 0, figures.refused == 0 else {
                    throw BenchError("messages were lost or mislabelled")
                }
            }
        }
    }

    /// Takes `count` complaints in with `clients` at once; their confirmations' ids and how long it took.
    private func intake(_ count: Int, api: APILoad, token: String) async throws -> (ids: Set<String>, seconds: Double) {
        let started = ContinuousClock.now
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for client in 0..<clients {
                group.addTask {
                    var made: [String] = []
                    for index in stride(from: client, to: count, by: clients) {
                        let body = #"{"channel":"phone","complainant":{"name":"Bench Customer \#(index)","phone":"+86 138 \#(String(format: "%08d", index))","language":"en"},"description":"\#(APILoad.description)"}"#
                        let (status, data) = try await api.send("POST", "/v1/complaints", token: token, body: body)
                        guard status == 201, let complaint = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                              let id = complaint["id"] as? String else { throw BenchError("intake answered \(status)") }
                        made.append(id)
                    }
                    return made
                }
            }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        let messageIDs = try await api.messageIDs(of: ids, token: token)
        return (messageIDs, seconds)
    }

    static func settled(_ owner: PGPool) async throws -> Int {
        try await owner.query("SELECT count(*)::integer FROM complainant_messages WHERE state = 'delivered'")[0].decode(at: 0)
    }

    private func waitUntil(timeout: Duration = .seconds(600), _ done: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !done() {
            guard ContinuousClock.now < deadline else { throw BenchError("the deliveries did not finish in \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension APILoad {
    /// The ids of the messages sent about `complaints`, read through the API.
    func messageIDs(of complaints: [String], token: String) async throws -> Set<String> {
        var ids: Set<String> = []
        for complaint in complaints {
            let (status, data) = try await send("GET", "/v1/complaints/\(complaint)/notifications", token: token, body: nil)
            guard status == 200, let page = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let items = page["items"] as? [[String: Any]] else { throw BenchError("notifications answered \(status)") }
            ids.formUnion(items.compactMap { $0["id"] as? String })
        }
        return ids
    }
}
