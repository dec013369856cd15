import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// The event stream of pages (`GET /v1/pages/stream`) for their recipients, people and bots
/// alike: a long-lived response the generated protocol does not serve. Listing and
/// acknowledging pages are operations of the contract (`API/Page+Operations.swift`).
struct PageRoutes: Sendable {
    let pages: PageStore
    let feed: PageFeed
    let auth: AuthStore
    /// Open streams per credential.
    let streams: StreamRegistry
    /// How often an open stream sends a heartbeat and re-checks its credential.
    let heartbeat: Duration

    func register(on group: RouterGroup<AuthenticatedRequestContext>) {
        group.get("pages/stream") { _, context -> Response in
            let caller = context.caller
            let secret = context.credential
            guard let lease = streams.open(caller.credentialKey) else { throw Problem.tooManyStreams(limit: streams.limit) }
            return PageStream(pages: pages, feed: feed, heartbeat: heartbeat)
                .response(for: caller, recheck: { try await auth.resolve(secret) }, lease: lease)
        }
    }
}
