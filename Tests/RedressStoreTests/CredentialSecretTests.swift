import Foundation
@testable import RedressStore
import Testing

@Suite("Credential secrets")
struct CredentialSecretTests {
    @Test func aTokenCarriesItsBranchThere_andBack() throws {
        for _ in 0..<500 {
            let branch = UUID()
            let secret = CredentialSecret(kind: .session, branch: branch)
            let presented = try #require(CredentialSecret(presented: secret.token))
            #expect(presented.branchID == branch)
            #expect(presented.hash == secret.hash)
            #expect(CredentialSecret.decode(Substring(CredentialSecret.encode(branch))) == branch)
        }
    }

    @Test func aBranchOfAnotherShapeIsRefused() {
        let branch = CredentialSecret.encode(UUID())
        for bad in [String(branch.dropLast()), branch + "A", String(branch.dropLast()) + "+", String(branch.dropLast()) + "=",
                    String(branch.dropLast()) + "/", String(branch.dropLast(2)) + "é", ""] {
            #expect(CredentialSecret.decode(Substring(bad)) == nil, "\(bad)")
        }
        let secret = CredentialSecret(kind: .apiKey).token
        #expect(CredentialSecret(presented: secret + "." + String(branch.dropLast())) == nil)
        #expect(CredentialSecret(presented: String(secret.dropLast()) + "+") == nil)
        #expect(CredentialSecret(presented: secret)?.branchID == nil)
    }
}
