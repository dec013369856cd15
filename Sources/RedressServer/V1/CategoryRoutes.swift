import Hummingbird
import RedressStore

/// `GET /v1/categories`: the category trees of the caller's branches.
struct CategoryRoutes: Sendable {
    let categories: CategoryStore

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("categories") { _, context -> Response in
            let items = try await categories.list(try context.requireCaller().scope)
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
    }
}
