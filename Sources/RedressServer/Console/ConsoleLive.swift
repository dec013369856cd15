import Foundation
import Hummingbird
import RedressStore

/// The console's live updates: the API's page event stream for the session's person.
struct ConsoleLive: Sendable {
    let pages: PageStore
    let feed: PageFeed
    let auth: AuthStore
    let streams: StreamRegistry
    let heartbeat: Duration

    /// `GET /console/live`: the person's pages as server-sent events, as `GET /v1/pages/stream`
    /// sends them; the console's script refreshes the queue and the page list on each. A browser
    /// moving between pages opens a stream on each, so the newest replaces the oldest at the limit.
    func stream() throws -> Response {
        let visit = try ConsoleVisit.required()
        let caller = visit.caller
        guard let secret = AuthenticatedCaller.credential else { throw Problem.unauthenticated }
        guard let lease = streams.open(caller.credentialKey, replacingOldest: true) else { throw Problem.tooManyStreams(limit: streams.limit) }
        return PageStream(pages: pages, feed: feed, heartbeat: heartbeat)
            .response(for: caller, recheck: { try await auth.resolve(secret) }, lease: lease)
    }
}
