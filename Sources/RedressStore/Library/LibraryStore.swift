import Foundation
import Postgres
import RedressCore

/// The case library (`sql/0063_case_library.sql`): entries drafted from closed complaints and
/// written by the people who handle complaints, found by any substring, shared with every branch
/// when a branch manager publishes them. Text holding the source complaint's own phone number,
/// name or email is refused, naming the field.
public struct LibraryStore: Sendable {
    let database: ScopedDatabase
    let complaints: ComplaintStore

    /// The roles that write entries.
    public static let writers: Set<Role> = [.agent, .handler, .departmentHead, .branchManager]

    /// Creates the store.
    public init(database: ScopedDatabase) {
        self.database = database
        self.complaints = ComplaintStore(database: database)
    }

    static let columns = """
        e.id, e.branch_id, e.source_complaint_id, e.title, e.situation, e.cause, e.actions, e.lesson, e.outcome, e.category_id, e.tags,
        e.created_by, e.created_at, e.updated_at, e.published_at, e.published_by
        """

    static func entry(_ row: PGRow) throws -> LibraryEntry {
        LibraryEntry(
            id: try row.decode(at: 0), branchID: try row.decode(at: 1), sourceComplaintID: try row.decode(at: 2),
            text: LibraryText(title: try row.decode(at: 3), situation: try row.decode(at: 4), cause: try row.decode(at: 5),
                              actions: try row.decode(at: 6), lesson: try row.decode(at: 7), outcome: try row.decode(at: 8),
                              categoryID: try row.decode(at: 9), tags: try row.decode(at: 10)),
            createdBy: try row.decode(at: 11), createdAt: try row.decode(at: 12), updatedAt: try row.decode(at: 13),
            publishedAt: try row.decode(at: 14), publishedBy: try row.decode(at: 15))
    }

    static func fetch(id: UUID, _ connection: PGConnection) async throws -> LibraryEntry {
        guard let row = try await connection.query("SELECT \(unescaped: columns) FROM case_library_entries e WHERE e.id = \(id)").first
        else { throw StoreError.notFound }
        return try entry(row)
    }

    /// A draft from a closed complaint the caller sees, written from its unsealed fields only: its
    /// category and product as the title, its description as the situation, its latest finding as
    /// the cause, its resolution as what was done, a success when the complainant was satisfied (6
    /// or more). The lesson is left to the writer. `.conflict` while the complaint is open. The
    /// description may still name the complainant; saving the draft refuses that until it is edited.
    public func draft(_ caller: Caller, complaintID: UUID) async throws -> LibraryText {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            guard let row = try await connection.query("""
                SELECT c.status, c.category_id, k.name, c.product, c.description, c.resolution, c.satisfaction,
                       (SELECT f.summary FROM complaint_findings f WHERE f.branch_id = c.branch_id AND f.complaint_id = c.id
                         ORDER BY f.recorded_at DESC LIMIT 1)
                  FROM complaints c LEFT JOIN categories k ON k.branch_id = c.branch_id AND k.id = c.category_id
                 WHERE c.id = \(complaintID)
                """).first else { throw StoreError.notFound }
            let status: String = try row.decode(at: 0)
            guard ["closed", "archived"].contains(status) else {
                throw StoreError.conflict(field: "id", message: "is \(status): entries are drafted from closed complaints")
            }
            let category: String? = try row.decode(at: 2), product: String? = try row.decode(at: 3)
            let description: String = try row.decode(at: 4)
            let satisfaction: Int? = try row.decode(at: 6)
            let named = [category, product].compactMap { $0 }.joined(separator: " · ")
            let title = (named.isEmpty ? String(description.prefix(60)) : named).components(separatedBy: .newlines).joined(separator: " ")
            func cut(_ text: String, _ limit: Int) -> String { String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit))) }
            return LibraryText(title: cut(title, 200), situation: cut(description, 4000), cause: cut(try row.decode(String?.self, at: 7) ?? "", 4000),
                               actions: cut(try row.decode(String?.self, at: 5) ?? "", 4000), lesson: "",
                               outcome: (satisfaction ?? 0) >= 6 ? "success" : "failure", categoryID: try row.decode(at: 1), tags: [])
        }
    }

    /// Adds an entry to the caller's own branch, as its writer; from `sourceComplaintID`, a closed
    /// complaint of the branch the caller sees, its personal data may not appear in the text.
    public func create(_ caller: Caller, _ text: LibraryText, sourceComplaintID: UUID?) async throws -> LibraryEntry {
        guard !caller.roles.isDisjoint(with: Self.writers) else { throw StoreError.forbidden }
        return try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                try await checkCategory(text.categoryID, branch: caller.branchID, connection)
                if let sourceComplaintID {
                    try await check(text, against: sourceComplaintID, branch: caller.branchID, field: "/sourceComplaintId", connection)
                } else {
                    try Self.refuseLeaks(text.fields, of: nil)
                }
                let id = try await connection.query("""
                    INSERT INTO case_library_entries (branch_id, source_complaint_id, category_id, title, situation, cause, actions, lesson,
                                                      outcome, tags, created_by)
                    VALUES (\(caller.branchID), \(sourceComplaintID), \(text.categoryID), \(text.title), \(text.situation), \(text.cause),
                            \(text.actions), \(text.lesson), \(text.outcome), \(text.tags), \(caller.userID))
                    RETURNING id
                    """)[0].decode(UUID.self, at: 0)
                return try await Self.fetch(id: id, connection)
            }
        }
    }

    /// Replaces an entry's text: its writer while it is unpublished, or a branch manager of its
    /// branch (`.forbidden` otherwise); checked against its source complaint again.
    public func update(_ caller: Caller, id: UUID, _ text: LibraryText) async throws -> LibraryEntry {
        try await change(caller, id: id) { entry, connection in
            guard entry.publishedAt == nil ? entry.createdBy == caller.userID || Self.manages(caller, entry)
                                           : Self.manages(caller, entry) else { throw StoreError.forbidden }
            try await checkCategory(text.categoryID, branch: entry.branchID, connection)
            if let source = entry.sourceComplaintID {
                try await check(text, against: source, branch: entry.branchID, field: nil, connection)
            } else {
                try Self.refuseLeaks(text.fields, of: nil)
            }
            try await connection.execute("""
                UPDATE case_library_entries
                   SET title = \(text.title), situation = \(text.situation), cause = \(text.cause), actions = \(text.actions),
                       lesson = \(text.lesson), outcome = \(text.outcome), category_id = \(text.categoryID), tags = \(text.tags),
                       updated_at = now()
                 WHERE branch_id = \(entry.branchID) AND id = \(id)
                """)
        }
    }

    /// Shares an entry with every branch (`published`), or withdraws it: a branch manager of its branch.
    public func publish(_ caller: Caller, id: UUID, _ published: Bool) async throws -> LibraryEntry {
        try await change(caller, id: id) { entry, connection in
            guard Self.manages(caller, entry) else { throw StoreError.forbidden }
            guard (entry.publishedAt != nil) != published else {
                throw StoreError.conflict(field: "id", message: published ? "is published already" : "is not published")
            }
            try await connection.execute("""
                UPDATE case_library_entries
                   SET published_at = CASE WHEN \(published) THEN now() END, published_by = CASE WHEN \(published) THEN \(caller.userID)::uuid END
                 WHERE branch_id = \(entry.branchID) AND id = \(id)
                """)
        }
    }

    /// One entry the caller sees.
    public func get(_ caller: Caller, id: UUID) async throws -> LibraryEntry {
        try await database.withScope(caller.scope, readOnly: true) { connection in try await Self.fetch(id: id, connection) }
    }

    /// The entries the caller sees that hold the query and match the filters, most recently
    /// changed first: their branches' own and those published by any branch. Picked by
    /// `public.library_search` (which may use the pair index), then read under the row policies.
    public func search(_ caller: Caller, _ search: LibrarySearch) async throws -> [LibraryEntry] {
        try await StoreError.translating { try await database.withScope(caller.scope, readOnly: true) { connection in
            let picked = try await connection.query("""
                SELECT branch_ids, ids FROM public.library_search(\(search.query)::text, \(search.tag)::text, \(search.categoryID)::uuid,
                                                                  \(search.outcome)::text, \(search.published)::boolean, \(Int32(search.limit)))
                """)[0]
            let branches: [UUID] = try picked.decode(at: 0), ids: [UUID] = try picked.decode(at: 1)
            guard !ids.isEmpty else { return [] }
            return try await connection.query("""
                SELECT \(unescaped: Self.columns)
                  FROM unnest(\(branches)::uuid[], \(ids)::uuid[]) WITH ORDINALITY AS picked (branch_id, id, position)
                  JOIN case_library_entries e ON e.branch_id = picked.branch_id AND e.id = picked.id
                 ORDER BY picked.position
                """).map(Self.entry)
        } }
    }

    static func manages(_ caller: Caller, _ entry: LibraryEntry) -> Bool {
        caller.roles.contains(.branchManager) && caller.branchID == entry.branchID
    }

    /// Runs `step` on the entry locked for change, then reads it back; `.notFound` when the caller
    /// does not see it, `.forbidden` when it is another branch's.
    private func change(_ caller: Caller, id: UUID,
                        _ step: @escaping @Sendable (LibraryEntry, PGConnection) async throws -> Void) async throws -> LibraryEntry {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let seen = try await Self.fetch(id: id, connection)
                guard seen.branchID == caller.branchID, !caller.roles.isDisjoint(with: Self.writers) else { throw StoreError.forbidden }
                try await connection.execute("""
                    SELECT 1 FROM case_library_entries WHERE branch_id = \(seen.branchID) AND id = \(id) FOR UPDATE
                    """)
                try await step(try await Self.fetch(id: id, connection), connection)
                return try await Self.fetch(id: id, connection)
            }
        }
    }

    /// Refuses text holding the complaint's own phone number, name or email, naming the first
    /// field that does; the complaint must be a closed one of `branch` the caller sees (named by
    /// `field` when it is not; nil when the entry has it already).
    private func check(_ text: LibraryText, against complaintID: UUID, branch: UUID, field: String?,
                       _ connection: PGConnection) async throws {
        guard let complaint = try await complaints.unmasked(complaintID, branch: branch, connection) else {
            throw StoreError.invalidReference(field: field ?? "id", message: field == nil ? "comes from a complaint you can no longer see"
                                                                              : "is no complaint of this branch you can see")
        }
        if let field, ![.closed, .archived].contains(complaint.status) {
            throw StoreError.conflict(field: field, message: "is \(complaint.status.rawValue): entries are drafted from closed complaints")
        }
        try Self.refuseLeaks(text.fields, of: complaint.complainant)
    }

    /// Refuses the first of `fields` that holds the complainant's personal data, or any email
    /// address or phone-length number, naming it.
    static func refuseLeaks(_ fields: [(field: String, text: String)], of complainant: Complaint.Complainant?) throws {
        let person = PersonalDataLeak.Person(name: complainant?.name, phone: complainant?.phone, email: complainant?.email,
                                             address: complainant?.address, idNumber: complainant?.idNumber)
        for (field, value) in fields {
            if let leak = PersonalDataLeak.find(in: value, person) {
                throw StoreError.invalidValue(field: field, message: leak.message)
            }
        }
    }

    private func checkCategory(_ categoryID: UUID?, branch: UUID, _ connection: PGConnection) async throws {
        guard let categoryID else { return }
        let exists: Bool = try await connection.query("""
            SELECT EXISTS (SELECT FROM categories WHERE branch_id = \(branch) AND id = \(categoryID))
            """)[0].decode(at: 0)
        if !exists { throw StoreError.invalidReference(field: "/categoryId", message: "does not exist in this branch") }
    }
}
