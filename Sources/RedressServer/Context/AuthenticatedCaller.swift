import RedressCore
import RedressStore

/// The caller of the request being handled, for the operations of the generated protocol (which
/// see only their input): the ``Authenticator`` binds it for everything it guards.
enum AuthenticatedCaller {
    @TaskLocal static var current: Caller?
    /// The token or key the caller presented.
    @TaskLocal static var credential: CredentialSecret?

    /// The caller, or a 401 problem when the operation was reached without authentication.
    static func required() throws -> Caller {
        guard let current else { throw Problem.unauthenticated }
        return current
    }

    /// The caller when they hold `role`, else a 403 problem naming the role.
    static func required(holding role: Role) throws -> Caller {
        let caller = try required()
        guard caller.has(role) else { throw Problem.forbidden(needing: role) }
        return caller
    }
}
