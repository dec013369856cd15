import Foundation
import RedressCore
import RedressStore

/// The case library: drafted from closed complaints, written by the people who handle complaints,
/// searched by any substring, shared with every branch by a branch manager.
extension APIHandlers {
    func searchLibrary(_ input: Operations.SearchLibrary.Input) async throws -> Operations.SearchLibrary.Output {
        let caller = try CaseWorkAccess.reader()
        var rules = FieldRules()
        if let query = input.query.q, query.filter({ !$0.isWhitespace }).count < 2 {
            rules.fail("q", "must hold at least two characters other than spaces")
        }
        try rules.check()
        let search = LibrarySearch(query: input.query.q, tag: input.query.tag, categoryID: try Wire.id(input.query.categoryId, "categoryId"),
                                   outcome: input.query.outcome?.rawValue, published: input.query.published,
                                   limit: input.query.limit ?? 50)
        let entries = try await library.search(caller, search)
        return .ok(.init(body: .json(.init(items: entries.map(Components.Schemas.LibraryEntry.init)))))
    }

    func createLibraryEntry(_ input: Operations.CreateLibraryEntry.Input) async throws -> Operations.CreateLibraryEntry.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: LibraryStore.writers) else { throw Problem.forbidden(needing: .handler) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let text = try Self.libraryText(title: body.title, situation: body.situation, cause: body.cause, actions: body.actions,
                                        lesson: body.lesson, outcome: body.outcome.rawValue, categoryId: body.categoryId, tags: body.tags)
        let source = try Wire.id(body.sourceComplaintId, "/sourceComplaintId")
        if source != nil { try admitPersonalDataCheck(caller) }
        return .created(.init(body: .json(.init(try await library.create(caller, text, sourceComplaintID: source)))))
    }

    func getLibraryEntry(_ input: Operations.GetLibraryEntry.Input) async throws -> Operations.GetLibraryEntry.Output {
        let caller = try CaseWorkAccess.reader()
        return .ok(.init(body: .json(.init(try await library.get(caller, id: try Wire.id(input.path.id, "id"))))))
    }

    func replaceLibraryEntry(_ input: Operations.ReplaceLibraryEntry.Input) async throws -> Operations.ReplaceLibraryEntry.Output {
        let caller = try CaseWorkAccess.reader()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let text = try Self.libraryText(title: body.title, situation: body.situation, cause: body.cause, actions: body.actions,
                                        lesson: body.lesson, outcome: body.outcome.rawValue, categoryId: body.categoryId, tags: body.tags)
        try admitPersonalDataCheck(caller)
        return .ok(.init(body: .json(.init(try await library.update(caller, id: try Wire.id(input.path.id, "id"), text)))))
    }

    func publishLibraryEntry(_ input: Operations.PublishLibraryEntry.Input) async throws -> Operations.PublishLibraryEntry.Output {
        let caller = try CaseWorkAccess.reader()
        return .ok(.init(body: .json(.init(try await library.publish(caller, id: try Wire.id(input.path.id, "id"), true)))))
    }

    func withdrawLibraryEntry(_ input: Operations.WithdrawLibraryEntry.Input) async throws -> Operations.WithdrawLibraryEntry.Output {
        let caller = try CaseWorkAccess.reader()
        return .ok(.init(body: .json(.init(try await library.publish(caller, id: try Wire.id(input.path.id, "id"), false)))))
    }

    func draftLibraryEntry(_ input: Operations.DraftLibraryEntry.Input) async throws -> Operations.DraftLibraryEntry.Output {
        let caller = try CaseWorkAccess.reader()
        let draft = try await library.draft(caller, complaintID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(title: draft.title, situation: draft.situation, cause: draft.cause, actions: draft.actions,
                                           lesson: draft.lesson, outcome: try UnlistedValue.member(draft.outcome, "outcome"),
                                           categoryId: draft.categoryID.map(Wire.id), tags: draft.tags))))
    }

    /// Counts a check of text against a complaint's personal data towards the caller's
    /// `limits.phoneSearches`: a refusal says whether a guess was right, as a phone search does.
    func admitPersonalDataCheck(_ caller: Caller) throws {
        if let wait = limits.phoneSearches.admit("user:\(caller.userID)") { throw Problem.rateLimited(retryAfter: wait) }
    }

    /// An entry's text from a request, each free-text field saying something and no tag repeated.
    static func libraryText(title: String, situation: String, cause: String, actions: String, lesson: String, outcome: String,
                            categoryId: String?, tags: [String]?) throws -> LibraryText {
        var rules = FieldRules()
        for (value, field) in [(title, "/title"), (situation, "/situation"), (cause, "/cause"), (actions, "/actions"), (lesson, "/lesson")] {
            rules.requireText(value, field)
        }
        let tags = (tags ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        for (index, tag) in tags.enumerated() where tag.isEmpty { rules.fail("/tags/\(index)", "must say something") }
        rules.distinct(tags, "/tags", limit: 20)
        try rules.check()
        return LibraryText(title: title, situation: situation, cause: cause, actions: actions, lesson: lesson, outcome: outcome,
                           categoryID: try Wire.id(categoryId, "/categoryId"), tags: tags)
    }
}

extension Components.Schemas.LibraryEntry {
    /// An entry as the API shows it.
    init(_ entry: RedressStore.LibraryEntry) {
        self.init(id: Wire.id(entry.id), branchId: Wire.id(entry.branchID), sourceComplaintId: entry.sourceComplaintID.map(Wire.id),
                  title: entry.text.title, situation: entry.text.situation, cause: entry.text.cause, actions: entry.text.actions,
                  lesson: entry.text.lesson, outcome: entry.text.outcome == "success" ? .success : .failure,
                  categoryId: entry.text.categoryID.map(Wire.id), tags: entry.text.tags, createdBy: Wire.id(entry.createdBy),
                  createdAt: entry.createdAt, updatedAt: entry.updatedAt, publishedAt: entry.publishedAt,
                  publishedBy: entry.publishedBy.map(Wire.id))
    }
}
