import Foundation
import RedressCore
import Testing

/// Who a work queue covers and who approves plans in it, derived from the caller alone.
@Suite("Work queue coverage")
struct WorkQueueCoverageTests {
    static let branch = UUID(), department = UUID(), other = UUID(), granted = UUID()

    static func caller(_ roles: Set<Role>, departments: Set<UUID> = [department]) -> Caller {
        Caller(userID: UUID(), branchID: branch, branchCode: "north", login: "x", name: "X", roles: roles,
               departmentIDs: departments, grantedBranchIDs: [granted], credential: .session(UUID()))
    }

    @Test func branchWorkersCoverTheirHomeBranchAndDepartmentPeopleTheirDepartments() {
        for role in [Role.agent, .branchManager, .executive] {
            let coverage = WorkQueueCoverage(caller: Self.caller([role], departments: []))
            #expect(coverage.wholeBranch && coverage.branchID == Self.branch, "\(role)")
        }
        for role in [Role.handler, .departmentHead] {
            let coverage = WorkQueueCoverage(caller: Self.caller([role]))
            #expect(!coverage.wholeBranch && coverage.departmentIDs == [Self.department], "\(role)")
        }
        // Departments listed on a user count only for the roles that work by department.
        #expect(WorkQueueCoverage(caller: Self.caller([.auditor])).departmentIDs.isEmpty)
        #expect(!WorkQueueCoverage(caller: Self.caller([.auditor])).wholeBranch)
    }

    @Test func headsApproveTheirDepartmentsPlansAndBranchManagersAny() {
        let head = WorkQueueCoverage(caller: Self.caller([.departmentHead]))
        #expect(head.approvesPlansOf == [Self.department] && !head.approvesBranchPlans)
        let handler = WorkQueueCoverage(caller: Self.caller([.handler]))
        #expect(handler.approvesPlansOf.isEmpty && !handler.approvesBranchPlans)
        let manager = WorkQueueCoverage(caller: Self.caller([.branchManager], departments: []))
        #expect(manager.approvesBranchPlans)
        let executive = WorkQueueCoverage(caller: Self.caller([.executive], departments: []))
        #expect(!executive.approvesBranchPlans && executive.approvesPlansOf.isEmpty)
    }

    @Test func aDepartmentFilterNarrowsWithoutWidening() {
        let coverage = WorkQueueCoverage(caller: Self.caller([.handler]), department: Self.other)
        #expect(coverage.departmentFilter == Self.other && coverage.departmentIDs == [Self.department])
    }
}
