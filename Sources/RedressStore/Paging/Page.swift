import Foundation

/// One page of a keyset-paginated listing. `nextCursor` continues after the last item; nil on
/// the last page.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    /// The items, in the listing's order.
    public var items: [Item]
    /// Opaque cursor for the next page, or nil.
    public var nextCursor: String?

    /// Creates a page.
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// A position in a listing ordered by `(key, id)`, passed to clients as an opaque string.
public struct PageCursor: Sendable, Equatable, Codable {
    /// The sort key of the last item seen.
    public var key: String
    /// The id of the last item seen (breaks ties).
    public var id: UUID

    /// Creates a cursor after the item with `key` and `id`.
    public init(key: String, id: UUID) {
        self.key = key
        self.id = id
    }

    /// A placeholder id for queries that have no cursor.
    static let origin = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    /// Decodes a cursor a client sent back; nil when it was not made by ``encoded``.
    public init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard encoded.count <= 1024, let data = Data(base64Encoded: base64),
              let cursor = try? JSONDecoder().decode(PageCursor.self, from: data) else { return nil }
        self = cursor
    }

    /// The opaque form.
    public var encoded: String {
        (try? JSONEncoder().encode(self))?.base64URLEncoded ?? ""
    }
}

/// How much of a listing to return.
public struct PageRequest: Sendable, Equatable {
    /// Items per page, 1…200. Default 50.
    public var limit: Int
    /// Continue after this position; nil for the first page.
    public var after: PageCursor?

    /// Creates a page request.
    public init(limit: Int = 50, after: PageCursor? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Builds the page from `limit + 1` fetched items, each with its sort key: the extra item only
    /// signals that more exist.
    func page<Item>(keyed rows: [(item: Item, key: String)], id: (Item) -> UUID) -> Page<Item> {
        guard rows.count > limit else { return Page(items: rows.map(\.item), nextCursor: nil) }
        let shown = rows.prefix(limit)
        let last = shown[shown.index(before: shown.endIndex)]
        return Page(items: shown.map(\.item), nextCursor: PageCursor(key: last.key, id: id(last.item)).encoded)
    }

    /// Builds the page from `limit + 1` fetched rows, reading each row's sort key with `key`.
    func page<Item>(from rows: [Item], key: (Item) -> String, id: (Item) -> UUID) -> Page<Item> {
        page(keyed: rows.map { ($0, key($0)) }, id: id)
    }
}
