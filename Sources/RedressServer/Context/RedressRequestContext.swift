import Hummingbird
import RedressCore
import RedressStore

/// The request context of every route: Hummingbird's core storage plus the caller, which the
/// ``Authenticator`` fills in for the authenticated routes.
public struct RedressRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil before authentication and on public routes.
    public var caller: Caller?
    /// The credential the caller presented, for checks that must resolve it again (page streams).
    public var credential: CredentialSecret?
    /// The client's IP address as the socket saw it (a proxy's, behind one).
    public var clientAddress: String?

    /// Creates an empty context for a new request.
    public init(source: Source) {
        coreContext = CoreRequestContextStorage(source: source)
        caller = nil
        credential = nil
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The caller, or a 401 problem when the route was reached without authentication.
    func requireCaller() throws -> Caller {
        guard let caller else { throw Problem.unauthenticated }
        return caller
    }

    /// The caller when they hold `role`, else a 403 problem naming the role.
    func requireCaller(holding role: Role) throws -> Caller {
        let caller = try requireCaller()
        guard caller.has(role) else { throw Problem.forbidden(needing: role) }
        return caller
    }
}
