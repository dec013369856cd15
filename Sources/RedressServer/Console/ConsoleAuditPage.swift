import Foundation
import Hummingbird
import RedressStore

/// The auditor's page: each audited branch's hash chain, verified entry by entry (intact, or the
/// first entry from which it breaks), and the newest entries of the trail (the API's
/// `listAuditEntries`), optionally of one entity.
struct ConsoleAuditPage: Sendable {
    let api: ConsoleAPI
    let audit: AuditStore
    let database: ScopedDatabase
    let renderer: ConsoleRenderer

    func register(on pages: RouterGroup<RedressRequestContext>) {
        pages.get("audit") { request, _ -> Response in
            let visit = try ConsoleVisit.required()
            guard visit.has(.auditor) else { throw Problem.notFound() }
            let t = MessageCatalogue.shared.table(for: visit.language)
            var query = [("limit", "50")]
            let entity = request.uri.queryParameters["entity"].map(String.init)
            if let entity, !entity.isEmpty { query.append(("entity", entity)) }
            async let entries = api.call(.get, "/v1/audit", query: query)
            let branches = await api.call(.get, "/v1/branches").items
            let names = Dictionary(branches.compactMap { branch -> (String, String)? in
                guard let id = branch["id"] as? String else { return nil }
                return (id.lowercased(), "\(branch["name"] as? String ?? "") (\(branch["code"] as? String ?? ""))")
            }, uniquingKeysWith: { first, _ in first })
            let chains = try await audit.chainStates(visit.caller.scope, database: database).map { chain -> [String: Any] in
                let intact = chain.breakSeq == nil
                return ["branch": names[chain.branchID.uuidString.lowercased()] ?? chain.branchID.uuidString.lowercased(),
                        "sealed": chain.sealed, "unsealed": chain.unsealed, "tipSeq": ConsoleValues.optional(chain.tipSeq), "tipHash": chain.tipHash ?? "—",
                        "intact": intact,
                        "state": intact ? t["chain_intact"] ?? "" : MessageCatalogue.shared.text("chain_broken", in: visit.language, [
                            "seq": "\(chain.breakSeq ?? 0)", "problem": chain.problem ?? ""])]
            }
            let listed = await entries
            if let problem = listed.problem { throw problem }
            return try renderer.page("audit", visit.view("/console/audit", [
                "title": t["audit_title"] ?? "", "chains": chains, "entries": ConsoleValues.labelled(listed.items as [Any], t),
                "entity": entity ?? "", "empty": listed.items.isEmpty]))
        }
    }
}
