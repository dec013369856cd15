import Hummingbird
import RedressCore
import RedressStore

/// The context of the hand-routed operations behind the ``Authenticator``: its caller is not
/// optional, so a handler cannot forget to ask for one. Made from the parent context once the
/// authenticator has run; a request that reached it unauthenticated is answered 401.
struct AuthenticatedRequestContext: ChildRequestContext {
    /// Hummingbird's per-request storage, carried over from the parent.
    var coreContext: CoreRequestContextStorage
    /// Who is calling.
    let caller: Caller
    /// The credential the caller presented, for checks that must resolve it again (page streams).
    let credential: CredentialSecret

    init(context: RedressRequestContext) throws {
        guard let caller = context.caller, let credential = context.credential else { throw Problem.unauthenticated }
        self.coreContext = context.coreContext
        self.caller = caller
        self.credential = credential
    }
}
