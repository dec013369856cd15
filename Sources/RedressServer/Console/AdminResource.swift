/// A list of configuration an admin keeps in the console (departments, people, categories,
/// routing rules, webhooks): the API path that lists and creates it, the form's fields, the
/// columns shown, and whether a row is removed (`DELETE`) or switched off and on (`PATCH active`).
struct AdminResource: Sendable {
    /// One field of the creation form, named by its member of the API's body.
    struct Field: Sendable {
        enum Kind: Sendable {
            case text(maxLength: Int, type: String = "text")
            /// One of `words`, labelled `<labels>_<word>` from the catalogue; optional ones may be left empty.
            case choice(words: [String], labels: String, optional: Bool)
            /// Any number of `words`.
            case choices(words: [String], labels: String)
            /// One row of another list (`departments`, `users`, `categories`).
            case reference(String, optional: Bool)
            /// Any number of rows of another list.
            case references(String)
            case number
        }
        var name: String
        var kind: Kind
    }

    /// What a row's removal does.
    enum Removal: Sendable { case delete, deactivate, none }

    var slug: String
    var path: String
    var fields: [Field]
    /// The members shown as columns, first the one that names the row.
    var columns: [String]
    /// Catalogue prefixes of the columns holding words (`kind` → `departmentKind`).
    var labels: [String: String]
    var removal: Removal

    static let departmentKinds = ["customer_service", "complaint_office", "network_operations", "billing", "product", "service_quality",
                                  "after_sales", "legal", "other"]
    /// The roles a branch admin gives (executives and auditors are granted by operators).
    static let roles = ["agent", "handler", "department_head", "branch_manager", "admin", "bot"]

    static let all: [AdminResource] = [
        AdminResource(slug: "departments", path: "/v1/departments", fields: [
            Field(name: "name", kind: .text(maxLength: 200)),
            Field(name: "kind", kind: .choice(words: departmentKinds, labels: "departmentKind", optional: false)),
            Field(name: "headUserId", kind: .reference("users", optional: true)),
        ], columns: ["name", "kind", "headUserId", "active"], labels: ["kind": "departmentKind"], removal: .delete),
        AdminResource(slug: "people", path: "/v1/users", fields: [
            Field(name: "login", kind: .text(maxLength: 64)),
            Field(name: "name", kind: .text(maxLength: 200)),
            Field(name: "position", kind: .text(maxLength: 200)),
            Field(name: "email", kind: .text(maxLength: 320, type: "email")),
            Field(name: "phone", kind: .text(maxLength: 40, type: "tel")),
            Field(name: "roles", kind: .choices(words: roles, labels: "role")),
            Field(name: "departmentIds", kind: .references("departments")),
            Field(name: "password", kind: .text(maxLength: 72, type: "password")),
        ], columns: ["login", "name", "roles", "departmentIds", "active"], labels: ["roles": "role"], removal: .delete),
        AdminResource(slug: "categories", path: "/v1/categories", fields: [
            Field(name: "code", kind: .text(maxLength: 64)),
            Field(name: "name", kind: .text(maxLength: 200)),
            Field(name: "parentId", kind: .reference("categories", optional: true)),
        ], columns: ["code", "name", "parentId", "active"], labels: [:], removal: .deactivate),
        AdminResource(slug: "routing-rules", path: "/v1/routing-rules", fields: [
            Field(name: "categoryId", kind: .reference("categories", optional: false)),
            Field(name: "departmentId", kind: .reference("departments", optional: false)),
            Field(name: "channel", kind: .choice(words: ConsoleIntakePage.channels, labels: "channel", optional: true)),
            Field(name: "level", kind: .choice(words: ["1", "2", "3"], labels: "level", optional: true)),
            Field(name: "product", kind: .text(maxLength: 200)),
            Field(name: "position", kind: .number),
        ], columns: ["position", "categoryId", "channel", "level", "product", "departmentId"], labels: ["channel": "channel"],
           removal: .delete),
        AdminResource(slug: "webhooks", path: "/v1/webhooks", fields: [
            Field(name: "kind", kind: .choice(words: ["pages", "gateway", "events"], labels: "webhookKind", optional: false)),
            Field(name: "url", kind: .text(maxLength: 2000, type: "url")),
            Field(name: "userId", kind: .reference("users", optional: true)),
        ], columns: ["kind", "url", "userId", "active"], labels: ["kind": "webhookKind"], removal: .deactivate),
    ]

    /// The configuration menu of the admin's pages, `current` (a path) marked.
    static func sections(_ t: [String: String], current: String) -> [[String: Any]] {
        (all.map { ("/console/admin/\($0.slug)", t["admin_\($0.slug)"] ?? $0.slug) }
            + [("/console/admin/sla-policies", t["admin_sla-policies"] ?? ""), ("/console/admin/calendar", t["nav_calendar"] ?? "")])
            .map { ["href": $0.0, "label": $0.1, "current": $0.0 == current] }
    }

    /// The lists this resource's fields and columns name rows of.
    var references: Set<String> {
        Set(fields.compactMap { field -> String? in
            switch field.kind {
            case .reference(let list, _), .references(let list): return list
            default: return nil
            }
        }).union(columns.contains("headUserId") || columns.contains("userId") ? ["users"] : [])
    }
}
