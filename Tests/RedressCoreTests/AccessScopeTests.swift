import Foundation
import RedressCore
import Testing

@Suite("Access scope derived from the caller")
struct AccessScopeTests {
    let home = UUID()
    let granted = UUID()
    let department = UUID()

    func caller(_ roles: Set<Role>) -> Caller {
        Caller(userID: UUID(), branchID: home, branchCode: "home", login: "x", name: "X", roles: roles,
               departmentIDs: [department], grantedBranchIDs: [granted], credential: .session(UUID()))
    }

    @Test(arguments: Role.allCases)
    func everyRoleActsInItsHomeBranch(role: Role) {
        let scope = caller([role]).scope
        #expect(scope.branchIDs.contains(home))
        #expect(scope.userID != nil)
    }

    @Test func branchWideRolesSeeEveryDepartmentOfTheirBranch() {
        for role in [Role.agent, .branchManager, .admin] {
            let scope = caller([role]).scope
            #expect(scope.wideBranchIDs == [home])
            #expect(scope.departmentIDs.isEmpty)
            #expect(scope.branchIDs == [home], "grants count only for executives and auditors")
        }
    }

    @Test func departmentScopedRolesSeeTheirDepartmentsOnly() {
        for role in [Role.handler, .departmentHead] {
            let scope = caller([role]).scope
            #expect(scope.wideBranchIDs.isEmpty)
            #expect(scope.departmentIDs == [department])
            #expect(scope.adminBranchIDs.isEmpty)
        }
    }

    @Test func executivesAndAuditorsCoverTheirGrantedBranches() {
        for role in [Role.executive, .auditor] {
            let scope = caller([role]).scope
            #expect(scope.branchIDs == [home, granted])
            #expect(scope.wideBranchIDs == [home, granted])
        }
    }

    @Test func botsSeeNoDepartmentsRows() {
        let scope = caller([.bot]).scope
        #expect(scope.branchIDs == [home])
        #expect(scope.wideBranchIDs.isEmpty && scope.departmentIDs.isEmpty && scope.adminBranchIDs.isEmpty)
    }

    @Test func adminsSeeConfigurationButNotComplaints() {
        #expect(caller([.admin]).scope.caseBranchIDs.isEmpty)
        #expect(caller([.admin]).scope.wideBranchIDs == [home])
        #expect(caller([.agent]).scope.caseBranchIDs == [home])
        #expect(caller([.auditor]).scope.caseBranchIDs == [home, granted])
        #expect(caller([.handler]).scope.caseBranchIDs.isEmpty)
    }

    @Test func grantedBranchesAreReadOnlyAndMasked() {
        for roles: Set<Role> in [[.executive, .agent], [.auditor, .branchManager], [.executive, .handler]] {
            let scope = caller(roles).scope
            #expect(scope.caseBranchIDs.contains(granted), "\(roles) read the granted branch")
            #expect(!scope.caseWriteBranchIDs.contains(granted), "\(roles) write nothing there")
            #expect(!scope.personalDataBranchIDs.contains(granted), "\(roles) see its customers masked")
        }
        #expect(caller([.executive, .agent]).scope.caseWriteBranchIDs == [home])
        #expect(caller([.executive, .agent]).scope.personalDataBranchIDs == [home])
        for role in [Role.executive, .auditor, .bot, .admin, .handler, .departmentHead] {
            #expect(caller([role]).scope.caseWriteBranchIDs.isEmpty, "\(role) takes in or changes no complaint branch-wide")
        }
        #expect(AccessScope.system(branch: home).caseWriteBranchIDs == [home])
    }

    @Test func onlyAdminsAdministerTheirHomeBranch() {
        #expect(caller([.admin]).scope.adminBranchIDs == [home])
        #expect(caller([.executive, .branchManager]).scope.adminBranchIDs.isEmpty)
    }

    @Test func settingsAreArrayLiteralsAndEmptyForNobody() {
        let settings = Dictionary(uniqueKeysWithValues: AccessScope.nobody.settings.map { ($0.name, $0.value) })
        #expect(settings["redress.user_id"] == "")
        #expect(settings["redress.branch_ids"] == "{}")
        let scope = caller([.handler, .agent]).scope
        let values = Dictionary(uniqueKeysWithValues: scope.settings.map { ($0.name, $0.value) })
        #expect(values["redress.roles"] == "{agent,handler}")
        #expect(values["redress.branch_ids"] == "{\(home.uuidString.lowercased())}")
    }
}
