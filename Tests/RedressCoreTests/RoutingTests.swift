import Foundation
import RedressCore
import Testing

@Suite("Routing rules")
struct RoutingTests {
    let billing = UUID(), network = UUID()
    let billingDepartment = UUID(), vipDesk = UUID(), networkOperations = UUID(), legal = UUID()

    var rules: [RoutingRule] {
        [
            RoutingRule(position: 100, categoryID: billing, departmentID: billingDepartment),
            RoutingRule(position: 100, categoryID: billing, level: 1, departmentID: legal),
            RoutingRule(position: 50, categoryID: billing, channel: "institutional", departmentID: vipDesk),
            RoutingRule(position: 100, categoryID: network, product: "Fibre", departmentID: networkOperations),
        ]
    }

    @Test func theCategoryDecides() {
        #expect(Routing.department(for: RoutingFacts(categoryID: billing, channel: "phone"), rules: rules) == billingDepartment)
    }

    @Test func lowerPositionsWinThenMoreSpecificRules() {
        #expect(Routing.department(for: RoutingFacts(categoryID: billing, channel: "institutional", level: 1), rules: rules) == vipDesk)
        #expect(Routing.department(for: RoutingFacts(categoryID: billing, channel: "web", level: 1), rules: rules) == legal)
    }

    @Test func optionalConditionsMustHoldWhenSet() {
        #expect(Routing.department(for: RoutingFacts(categoryID: network, channel: "web", product: "fibre"), rules: rules) == networkOperations)
        #expect(Routing.department(for: RoutingFacts(categoryID: network, channel: "web", product: "Mobile"), rules: rules) == nil)
        #expect(Routing.department(for: RoutingFacts(categoryID: UUID(), channel: "web"), rules: rules) == nil)
    }
}
