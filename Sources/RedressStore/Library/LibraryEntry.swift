import Foundation

/// What a case library entry says (`sql/0063_case_library.sql`).
public struct LibraryText: Sendable, Equatable, Codable {
    public var title: String
    /// What happened, without who it happened to.
    public var situation: String
    public var cause: String
    /// What was done about it.
    public var actions: String
    public var lesson: String
    /// `success` or `failure`: a typical example of either.
    public var outcome: String
    public var categoryID: UUID?
    public var tags: [String]

    /// Creates the text of an entry.
    public init(title: String, situation: String, cause: String, actions: String, lesson: String, outcome: String,
                categoryID: UUID?, tags: [String]) {
        self.title = title
        self.situation = situation
        self.cause = cause
        self.actions = actions
        self.lesson = lesson
        self.outcome = outcome
        self.categoryID = categoryID
        self.tags = tags
    }

    /// The free-text fields with the request fields that carry them, in the order a refusal names them.
    var fields: [(field: String, text: String)] {
        [("/title", title), ("/situation", situation), ("/cause", cause), ("/actions", actions), ("/lesson", lesson)]
            + tags.enumerated().map { ("/tags/\($0.offset)", $0.element) }
    }
}

/// A case library entry as stored.
public struct LibraryEntry: Sendable, Equatable {
    public var id: UUID
    public var branchID: UUID
    public var sourceComplaintID: UUID?
    public var text: LibraryText
    public var createdBy: UUID
    public var createdAt: Date
    public var updatedAt: Date
    /// When a branch manager shared it with every branch; nil while it is the branch's own.
    public var publishedAt: Date?
    public var publishedBy: UUID?
}

/// Which entries to find.
public struct LibrarySearch: Sendable, Equatable {
    /// A substring of two characters or more, in any language; any entry when nil.
    public var query: String?
    public var tag: String?
    public var categoryID: UUID?
    public var outcome: String?
    /// Only published entries (true), or only unpublished ones (false).
    public var published: Bool?
    public var limit: Int

    /// Creates a search.
    public init(query: String? = nil, tag: String? = nil, categoryID: UUID? = nil, outcome: String? = nil, published: Bool? = nil,
                limit: Int = 50) {
        self.query = query
        self.tag = tag
        self.categoryID = categoryID
        self.outcome = outcome
        self.published = published
        self.limit = limit
    }
}
