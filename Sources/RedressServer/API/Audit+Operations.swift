import RedressCore
import RedressStore

/// The audit trail of the branches an auditor audits, newest first, optionally of one entity
/// (`entity=complaints`) or row (`entityId=`); `cursor`, the place of the last entry of a page
/// (`AuditCursor`), continues after it.
extension APIHandlers {
    func listAuditEntries(_ input: Operations.ListAuditEntries.Input) async throws -> Operations.ListAuditEntries.Output {
        let caller = try AuthenticatedCaller.required(holding: .auditor)
        let query = input.query
        let limit = query.limit ?? 50
        var after: AuditCursor?
        if let cursor = query.cursor {
            guard let place = AuditCursor(encoded: cursor) else {
                throw Problem.invalidRequest([.init(field: "cursor", message: "is not a cursor this API issued")])
            }
            after = place
        }
        let items = try await audit.entries(caller.scope, database: database, entity: query.entity,
                                            entityID: try Wire.id(query.entityId, "entityId"), after: after, limit: limit)
        let next = items.count == limit ? items.last.map(\.cursor.encoded) : nil
        return .ok(.init(body: .json(.init(items: try items.map(Components.Schemas.AuditEntry.init), nextCursor: next))))
    }
}

extension Components.Schemas.AuditEntry {
    init(_ entry: AuditStore.Entry) throws {
        self.init(id: Int(entry.id), branchId: Wire.id(entry.branchId), at: entry.at, actorId: entry.actorId.map(Wire.id),
                  actorRoles: entry.actorRoles, requestId: entry.requestId, action: try WireWord.read(entry.action), entity: entry.entity,
                  entityId: entry.entityId.map(Wire.id), before: try entry.before?.wireContainer(), after: try entry.after?.wireContainer(),
                  seq: entry.seq.map { Int($0) }, hash: entry.hash)
    }
}
