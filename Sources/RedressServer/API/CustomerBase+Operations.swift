import Foundation
import RedressCore
import RedressStore

/// The customer bases that complaint rates are reckoned against: entered by a branch's admins.
extension APIHandlers {
    func listCustomerBases(_ input: Operations.ListCustomerBases.Input) async throws -> Operations.ListCustomerBases.Output {
        let caller = try AuthenticatedCaller.required()
        let bases = try await customerBases.list(caller, branchID: try Wire.id(input.query.branchId, "branchId"))
        return .ok(.init(body: .json(.init(items: bases.map(Components.Schemas.CustomerBase.init)))))
    }

    func recordCustomerBase(_ input: Operations.RecordCustomerBase.Input) async throws -> Operations.RecordCustomerBase.Output {
        let caller = try AuthenticatedCaller.required()
        guard caller.roles.contains(.admin) else { throw Problem.forbidden(needing: .admin) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        guard let month = LocalDate(input.path.month + "-01") else {
            throw Problem.validationFailed([.init(field: "month", message: "must be a month such as 2026-11")])
        }
        return .ok(.init(body: .json(.init(try await customerBases.record(caller, month: month, customers: body.customers)))))
    }
}

extension Components.Schemas.CustomerBase {
    /// A month's base as the API shows it.
    init(_ base: RedressStore.CustomerBase) {
        self.init(branchId: Wire.id(base.branchID), month: String(base.month.description.prefix(7)), customers: base.customers,
                  recordedBy: Wire.id(base.recordedBy), recordedAt: base.recordedAt)
    }
}
