import Foundation
import RedressCore
import RedressStore

/// `GET /v1/work-queue`: one call that tells a person what needs them.
extension APIHandlers {
    /// The roles that work complaints and so have a queue.
    static let queueRoles: Set<Role> = [.agent, .handler, .departmentHead, .branchManager, .executive]

    func getWorkQueue(_ input: Operations.GetWorkQueue.Input) async throws -> Operations.GetWorkQueue.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: Self.queueRoles) else { throw Problem.forbidden(needing: .departmentHead) }
        var buckets: [WorkQueueBucket] = []
        for name in input.query.bucket ?? [] {
            let bucket: WorkQueueBucket = try UnlistedValue.member(name.rawValue, "bucket")
            if !buckets.contains(bucket) { buckets.append(bucket) }
        }
        let page = try Wire.page(limit: input.query.limit ?? 10, cursor: input.query.cursor)
        if page.after != nil && buckets.count != 1 {
            throw Problem.invalidRequest([.init(field: "cursor", message: "continues one bucket: name exactly that bucket")])
        }
        let coverage = WorkQueueCoverage(caller: caller, department: try Wire.id(input.query.departmentId, "departmentId"))
        let generatedAt = Date()
        let queue = try await workQueue.queue(caller, coverage: coverage, buckets: buckets, page: page)
        return .ok(.init(body: .json(.init(generatedAt: generatedAt, buckets: try queue.map(Components.Schemas.WorkQueueBucket.init)))))
    }
}
