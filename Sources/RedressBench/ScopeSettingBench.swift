import Foundation
import Postgres
import RedressCore
import RedressStore

/// What opening a scoped transaction costs: the service's `SET LOCAL` script, sent with its BEGIN
/// in one simple-protocol round trip (what Citus passes on to its workers), against the single
/// prepared `set_config` statement it replaced, sent after BEGIN in a round trip of its own; the
/// two take turns at going first, so that machine noise and warm caches favour neither.
struct ScopeSettingBench {
    let service: PGPool
    let scoped: ScopedDatabase

    /// The statement the service set its scope with before `SET LOCAL`: bound parameters, prepared.
    static func setConfigStatement(_ scope: AccessScope) -> PGQuery {
        let values = scope.settings.map(\.value)
        return """
            SELECT set_config('redress.user_id', \(values[0]), true), set_config('redress.roles', \(values[1]), true),
                   set_config('redress.branch_ids', \(values[2]), true), set_config('redress.wide_branch_ids', \(values[3]), true),
                   set_config('redress.department_ids', \(values[4]), true), set_config('redress.admin_branch_ids', \(values[5]), true),
                   set_config('redress.case_branch_ids', \(values[6]), true), set_config('redress.case_write_branch_ids', \(values[7]), true),
                   set_config('redress.request_id', \(values[8]), true), set_config('statement_timeout', '30000', true)
            """
    }

    /// One line: p50 and p99 of an empty scoped transaction each way, and their ratio.
    func run(iterations: Int, departments: [(branch: UUID, department: UUID)]) async throws -> String {
        var setLocal = LatencySamples(), setConfig = LatencySamples()
        for iteration in -100..<iterations {
            let (branch, department) = departments.randomElement()!
            let scope = AccessScope(userID: UUID(), roles: [.departmentHead], branchIDs: [branch], wideBranchIDs: [],
                                    caseBranchIDs: [], departmentIDs: [department], adminBranchIDs: [], requestID: UUID().uuidString)
            var local = LatencySamples(), config = LatencySamples()
            for setLocalTurn in iteration.isMultiple(of: 2) ? [true, false] : [false, true] {
                if setLocalTurn {
                    try await local.measure { try await scoped.withScope(scope, readOnly: true) { _ in } }
                } else {
                    try await config.measure {
                        try await service.withTransaction(PGTransactionOptions(readOnly: true)) { connection in
                            try await connection.execute(Self.setConfigStatement(scope))
                        }
                    }
                }
            }
            if iteration >= 0 { setLocal.record(local.total); setConfig.record(config.total) }
        }
        return String(format: "scoped transaction, empty: SET LOCAL p50 %.3f p99 %.3f ms; set_config p50 %.3f p99 %.3f ms; ratio %.2fx",
                      setLocal.percentile(0.5), setLocal.percentile(0.99), setConfig.percentile(0.5), setConfig.percentile(0.99),
                      setLocal.percentile(0.5) / setConfig.percentile(0.5))
    }
}
