import Foundation
import Hummingbird
import HummingbirdTesting
import RedressAPIClient
import RedressCore
import RedressTestSupport
import Testing

@Suite("Categories, routing rules and hand-overs over HTTP")
struct ConfigurationAPITests {
    @Test func adminsShapeRoutingAndHandOversAreRecorded() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let agent = try await client.signIn(org.a.code, "agent")
            let categories = try await client.call(.get, "/v1/categories", token: agent).items
            let network = try #require(categories.first { $0["code"] as? String == "network_quality" }?["id"] as? String)
            let roaming = try await client.call(.post, "/v1/categories", token: admin,
                                                body: #"{"code":"network_quality.roaming","name":"国际漫游 Roaming","parentId":"\#(network)"}"#)
            #expect(roaming.status == .created)
            let roamingID = try #require(roaming.json["id"] as? String)
            let rule = try await client.call(.post, "/v1/routing-rules", token: admin,
                                             body: #"{"categoryId":"\#(roamingID)","departmentId":"\#(org.a.departments[1].path)","position":10}"#)
            #expect(rule.status == .created)
            let complaint = try await ComplaintLifecycleAPITests.intake(client, token: agent, category: roamingID)
            #expect((complaint["departmentId"] as? String)?.lowercased() == org.a.departments[1].path)
            let id = try #require(complaint["id"] as? String)
            _ = try await ComplaintLifecycleAPITests.step(client, id, "assign", token: agent,
                                                          body: #"{"departmentId":"\#(org.a.departments[0].path)","note":"billing question really"}"#)
            let handovers = try await client.call(.get, "/v1/complaints/\(id)/handovers", token: agent).items
            #expect(handovers.count == 2)
            #expect((handovers.last?["fromDepartmentId"] as? String)?.lowercased() == org.a.departments[1].path)
            #expect(handovers.last?["reason"] as? String == "billing question really")
            let ruleID = try #require(rule.json["id"] as? String)
            #expect(try await client.call(.delete, "/v1/routing-rules/\(ruleID)", token: agent).status == .forbidden)
            let otherAdmin = try await client.signIn(org.c.code, "admin")
            #expect(try await client.call(.delete, "/v1/routing-rules/\(ruleID)", token: otherAdmin).status == .notFound)
            #expect(try await client.call(.patch, "/v1/categories/\(roamingID)", token: otherAdmin, body: #"{"active":false}"#).status == .notFound)
            #expect(try await client.call(.delete, "/v1/routing-rules/\(ruleID)", token: admin).status == .noContent)
            let deactivated = try await client.call(.patch, "/v1/categories/\(roamingID)", token: admin, body: #"{"active":false}"#)
            #expect(deactivated.json["active"] as? Bool == false)
            #expect(try await client.call(.post, "/v1/categories", token: agent, body: #"{"code":"x","name":"X"}"#).status == .forbidden)
            let bad: [(String, String, String)] = [
                ("/v1/categories", #"{"code":"Bad Code","name":"X"}"#, "/code"),
                ("/v1/categories", #"{"code":"billing","name":"Again"}"#, "/code"),
                ("/v1/categories", #"{"code":"x","name":"X","parentId":"\#(org.c.departments[0].path)"}"#, "/parentId"),
                ("/v1/routing-rules", #"{"categoryId":"\#(roamingID)","departmentId":"\#(org.c.departments[0].path)"}"#, "/departmentId"),
                ("/v1/routing-rules", #"{"categoryId":"\#(roamingID)","departmentId":"\#(org.a.departments[0].path)","level":4}"#, "/level"),
                ("/v1/routing-rules", #"{"categoryId":"\#(roamingID)","departmentId":"\#(org.a.departments[0].path)","channel":"fax"}"#, "/channel"),
                ("/v1/routing-rules", #"{"departmentId":"\#(org.a.departments[0].path)"}"#, "/categoryId"),
            ]
            for (path, body, field) in bad {
                let response = try await client.call(.post, path, token: admin, body: body)
                #expect((400..<500).contains(response.status.code) && response.problemFields.contains(field), "\(path) \(body): \(response.problemFields)")
            }
        }
    }

    /// The same operations through the client generated from openapi.yaml: what it sends is what
    /// the contract describes, and every answer decodes into the contract's types.
    @Test func theGeneratedClientManagesCategoriesAndRules() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try client.api(try await client.signIn(org.a.code, "admin"))
            let agent = try client.api(try await client.signIn(org.a.code, "agent"))
            let before = try await agent.listCategories().ok.body.json.items
            let network = try #require(before.first { $0.code == "network_quality" })
            let created = try await admin.createCategory(body: .json(.init(code: "network_quality.5g", name: "5G 覆盖", parentId: network.id)))
            let category = try created.created.body.json
            #expect(category.parentId == network.id && category.active && category.branchId == org.a.id.path)
            #expect(category.id == category.id.lowercased(), "ids are written lowercase")
            #expect(try await agent.listCategories().ok.body.json.items.count == before.count + 1)

            let renamed = try await admin.updateCategory(path: .init(id: category.id), body: .json(.init(name: "5G")))
            #expect(try renamed.ok.body.json.name == "5G" && renamed.ok.body.json.active, "a field left out is kept")
            let refused = try await agent.updateCategory(path: .init(id: category.id), body: .json(.init(active: false)))
            #expect(try refused.forbidden.body.applicationProblemJson.status == 403)

            let rule = try await admin.createRoutingRule(body: .json(.init(
                position: 5, categoryId: category.id, channel: .app, level: 2, departmentId: org.a.departments[1].path)))
            let stored = try rule.created.body.json
            #expect(stored.channel == "app" && stored.level == 2 && stored.position == 5 && stored.product == nil)
            #expect(try await agent.listRoutingRules().ok.body.json.items.contains { $0.id == stored.id })
            let foreign = try client.api(try await client.signIn(org.c.code, "admin"))
            #expect(try await foreign.deleteRoutingRule(path: .init(id: stored.id)).notFound.body.applicationProblemJson.status == 404)
            _ = try await admin.deleteRoutingRule(path: .init(id: stored.id)).noContent
            #expect(try await agent.listRoutingRules().ok.body.json.items.allSatisfy { $0.id != stored.id })
        }
    }
}
