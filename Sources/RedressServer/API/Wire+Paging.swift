import RedressStore

extension Wire {
    /// The page a listing asked for with `limit` (1…200 by the contract, 50 when left out) and
    /// `cursor` (a previous page's `nextCursor`).
    static func page(limit: Int?, cursor: String?) throws -> PageRequest {
        var page = PageRequest()
        if let limit {
            guard (1...200).contains(limit) else {
                throw Problem.invalidRequest([.init(field: "limit", message: "must be from 1 to 200")])
            }
            page.limit = limit
        }
        if let cursor {
            guard let position = PageCursor(encoded: cursor) else {
                throw Problem.invalidRequest([.init(field: "cursor", message: "is not a cursor this API issued")])
            }
            page.after = position
        }
        return page
    }
}
