import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// A branch's complaint categories and routing rules: everyone in it reads them, admins change them.
struct CategoryRoutes: Sendable {
    let categories: CategoryStore
    let rules: RoutingRuleStore

    struct NewCategory: StrictBody {
        static let fields: Set<String> = ["code", "name", "parentId"]
        var code: String
        var name: String
        var parentId: UUID?
    }

    struct CategoryChanges: StrictBody {
        static let fields: Set<String> = ["name", "active"]
        var name: FieldUpdate<String>
        var active: FieldUpdate<Bool>

        enum CodingKeys: String, CodingKey { case name, active }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.update(String.self, forKey: .name)
            active = try container.update(Bool.self, forKey: .active)
        }
    }

    struct NewRule: StrictBody {
        static let fields: Set<String> = ["position", "categoryId", "channel", "level", "product", "departmentId"]
        var position: Int?
        var categoryId: UUID
        var channel: String?
        var level: Int?
        var product: String?
        var departmentId: UUID
    }

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("categories") { _, context -> Response in
            let items = try await categories.list(try context.requireCaller().scope)
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
        group.post("categories") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let body = try await RequestBody.decode(NewCategory.self, from: request)
            var check = FieldRules()
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_.-")
            if !(1...64).contains(body.code.count) || !body.code.allSatisfy(allowed.contains) || body.code.first.map(".-_".contains) == true {
                check.fail("/code", "must be 1 to 64 lower-case letters, digits or _ . -, starting with a letter or digit")
            }
            check.text(body.name, "/name", length: 1...200)
            try check.check()
            let category = try await rules.createCategory(caller.scope, branchID: caller.branchID, code: body.code,
                                                          name: body.name, parentID: body.parentId)
            return try JSONResponse.make(status: .created, body: category)
        }
        group.patch("categories/:id") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(CategoryChanges.self, from: request)
            var check = FieldRules()
            check.text(body.name.newValue, "/name", length: 1...200)
            try check.check()
            return try JSONResponse.make(status: .ok, body: try await rules.updateCategory(caller.scope, id: id, name: body.name, active: body.active))
        }
        group.get("routing-rules") { _, context -> Response in
            let items = try await rules.list(try context.requireCaller().scope)
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
        group.post("routing-rules") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let body = try await RequestBody.decode(NewRule.self, from: request)
            var check = FieldRules()
            check.number(body.position, 0...100_000, "/position")
            check.oneOf(body.channel, ComplaintVocabulary.channels, "/channel")
            check.number(body.level, 1...3, "/level")
            check.text(body.product, "/product", length: 1...200)
            try check.check()
            let rule = try await rules.create(caller.scope, branchID: caller.branchID, position: body.position ?? 100,
                                              categoryID: body.categoryId, channel: body.channel, level: body.level,
                                              product: body.product, departmentID: body.departmentId)
            return try JSONResponse.make(status: .created, body: rule)
        }
        group.delete("routing-rules/:id") { _, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            try await rules.delete(caller.scope, id: try RequestParameters.id(context))
            return Response(status: .noContent)
        }
    }
}
