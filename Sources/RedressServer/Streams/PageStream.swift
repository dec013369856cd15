import Foundation
import HTTPTypes
import Hummingbird
import RedressCore
import RedressStore
import ServiceLifecycle

/// `GET /v1/pages/stream`: the caller's unacknowledged pages as server-sent events, first those
/// already open, then each new one as it is enqueued. Every event is `event: page`, its `id` the
/// page id, its `data` the page as JSON. A comment line every `heartbeat` keeps proxies from
/// closing the connection; each heartbeat also looks for pages a lost notification missed.
///
/// The credential is resolved again (`recheck`) before every look, so the stream ends, sending
/// nothing more, once the session is signed out or the key revoked, the credential expires, or
/// the user is deactivated; it also ends at the credential's `expiresAt`. It ends too when the
/// server shuts down gracefully (clients reconnect after `retry`).
struct PageStream: Sendable {
    let pages: PageStore
    let feed: PageFeed
    var heartbeat: Duration = .seconds(15)

    enum Signal: Sendable { case pages, heartbeat, replaced }

    /// The stream for `caller`; `recheck` resolves the caller's credential again (nil: it no
    /// longer works); `lease` is held for as long as the stream is open.
    func response(for caller: Caller, recheck: @escaping @Sendable () async throws -> Caller?,
                  lease: StreamRegistry.Lease) -> Response {
        let body = ResponseBody { writer in
            let signals = AsyncStream<Signal>.makeStream(bufferingPolicy: .bufferingNewest(4))
            lease.onReplaced {
                signals.continuation.yield(.replaced)
                signals.continuation.finish()
            }
            try await withGracefulShutdownHandler {
                try await stream(signals, to: &writer, caller: caller, recheck: recheck)
            } onGracefulShutdown: {
                signals.continuation.finish()
            }
            withExtendedLifetime(lease) {}
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store",
                                               HTTPField.Name("X-Accel-Buffering")!: "no"], body: body)
    }

    private func stream(_ signals: (stream: AsyncStream<Signal>, continuation: AsyncStream<Signal>.Continuation),
                        to writer: inout any ResponseBodyWriter, caller: Caller,
                        recheck: @escaping @Sendable () async throws -> Caller?) async throws {
        let changes = feed.subscribe(caller.userID)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in changes { signals.continuation.yield(.pages) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: heartbeat)
                    signals.continuation.yield(.heartbeat)
                }
            }
            if let expiresAt = caller.expiresAt {
                group.addTask {
                    let left = expiresAt.timeIntervalSinceNow
                    if left > 0 { try await Task.sleep(for: .milliseconds(Int64(left * 1000) + 1)) }
                    signals.continuation.finish()
                }
            }
            var sender = Sender(pages: pages, caller: caller)
            try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
            try await sender.sendNew(to: &writer)
            for await signal in signals.stream {
                // A newer stream of the credential took this one's place: its client waits a minute
                // before trying again, so that more clients than the limit do not take turns forever.
                if signal == .replaced {
                    try await writer.write(ByteBuffer(string: "retry: 60000\n\n"))
                    break
                }
                // The credential must still work, for the same user, before anything more is sent.
                guard let current = try await recheck(), current.userID == caller.userID, !current.passwordChangeRequired,
                      current.expiresAt.map({ $0 > Date() }) ?? true else { break }
                sender.caller = current
                if signal == .heartbeat { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                try await sender.sendNew(to: &writer)
            }
            signals.continuation.finish()
            group.cancelAll()
        }
    }

    /// Sends the pages not sent yet, in order. Pages of transactions that commit out of order
    /// can appear behind the newest page sent, so each look goes back `overlap` and skips what
    /// it already sent in that stretch.
    struct Sender {
        let pages: PageStore
        var caller: Caller
        var overlap: Int64 = 5_000_000
        var newest: Int64?
        var sent: [UUID: Int64] = [:]

        mutating func sendNew(to writer: inout any ResponseBodyWriter) async throws {
            while true {
                let batch = try await pages.openPages(caller, since: newest.map { $0 - overlap }, excluding: Array(sent.keys), limit: 200)
                for (page, microseconds) in batch {
                    // The page as the contract's Page: the listing's shape and spelling.
                    let data = try JSONResponse.encoder.encode(try Components.Schemas.Page(page))
                    try await writer.write(ByteBuffer(string: "id: \(Wire.id(page.id))\nevent: page\ndata: "
                                                          + String(decoding: data, as: UTF8.self) + "\n\n"))
                    sent[page.id] = microseconds
                    newest = max(newest ?? microseconds, microseconds)
                }
                if let newest { sent = sent.filter { $0.value >= newest - overlap } }
                if batch.count < 200 { return }
            }
        }
    }
}
