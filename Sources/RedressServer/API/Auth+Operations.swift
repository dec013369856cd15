import Foundation
import RedressCore
import RedressStore

/// Signing in and out, and who the caller is.
extension APIHandlers {
    /// Sign-in is public: each client address gets `limits.signIns` attempts a minute across all
    /// instances, counted in the database before the credentials are looked at; the store slows
    /// down repeated failures of a login.
    func signIn(_ input: Operations.SignIn.Input) async throws -> Operations.SignIn.Output {
        let client = RequestClient.key
        if let wait = await limits.signIns.admitNow(client) { throw Problem.throttled(retryAfter: wait) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        switch try await auth.signIn(branchCode: body.branch, login: body.login, password: body.password, client: client) {
        case .signedIn(let token, let userID, let branchID, let expiresAt, let passwordChangeRequired):
            return .created(.init(body: .json(.init(token: token, tokenType: "Bearer", expiresAt: expiresAt,
                                                    userId: Wire.id(userID), branchId: Wire.id(branchID),
                                                    passwordChangeRequired: passwordChangeRequired))))
        case .invalidCredentials:
            throw Problem.invalidCredentials
        case .throttled(let seconds):
            throw Problem.throttled(retryAfter: seconds)
        }
    }

    /// Ends the caller's session; an API key is left working.
    func signOut(_ input: Operations.SignOut.Input) async throws -> Operations.SignOut.Output {
        try await auth.signOut(try AuthenticatedCaller.required())
        return .noContent(.init())
    }

    /// The caller's own record, credential and reach.
    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let caller = try AuthenticatedCaller.required()
        let user = try await users.get(caller.scope, id: caller.userID)
        return .ok(.init(body: .json(try .init(caller, user: user))))
    }

    /// The signed-in person replaces their own password; a wrong current password counts as a
    /// failed sign-in from this client.
    func changePassword(_ input: Operations.ChangePassword.Input) async throws -> Operations.ChangePassword.Output {
        let caller = try AuthenticatedCaller.required()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        // The same budget as sign-in attempts, spent before any password work.
        if let wait = await limits.signIns.admitNow(RequestClient.key) { throw Problem.throttled(retryAfter: wait) }
        guard case .session = caller.credential, let session = AuthenticatedCaller.credential else {
            throw Problem.botsHaveNoPassword
        }
        var rules = FieldRules()
        rules.password(body.newPassword, "/newPassword")
        if body.newPassword == body.currentPassword { rules.fail("/newPassword", "must differ from the current password") }
        try rules.check()
        switch try await auth.changePassword(caller, session: session, current: body.currentPassword, new: body.newPassword,
                                             client: RequestClient.key) {
        case .changed:
            return .noContent(.init())
        case .wrongCurrentPassword:
            throw Problem.validationFailed([.init(field: "/currentPassword", message: "is not your current password")])
        case .throttled(let seconds):
            throw Problem.throttled(retryAfter: seconds)
        case .notSignedIn:
            throw Problem.unauthenticated
        }
    }
}
