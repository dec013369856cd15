import Foundation

/// One measure of a rectification task: what is done, and the measurable target that shows it done.
public struct RectificationMeasure: Sendable, Codable, Equatable {
    public var description: String
    public var target: String

    /// Creates a measure.
    public init(description: String, target: String) {
        self.description = description
        self.target = target
    }
}

/// What a new rectification task says (`sql/0062_rectification_tasks.sql`).
public struct RectificationDraft: Sendable, Equatable {
    public var title: String
    /// What the complaints revealed.
    public var problem: String
    public var measures: [RectificationMeasure]
    public var acceptanceCriteria: String
    /// The responsible department and person (a member of it, or its head).
    public var departmentID: UUID
    public var responsibleUserID: UUID
    public var dueAt: Date
    /// The complaints it comes from; may be empty for a report's hot spot.
    public var complaintIDs: [UUID]
    /// What the effect evaluation counts; when both are empty, the linked complaints' categories and departments.
    public var categoryIDs: [UUID]
    public var evaluatedDepartmentIDs: [UUID]
    /// Days before and after acceptance the evaluation compares.
    public var evaluationDays: Int

    /// Creates a draft.
    public init(title: String, problem: String, measures: [RectificationMeasure], acceptanceCriteria: String, departmentID: UUID,
                responsibleUserID: UUID, dueAt: Date, complaintIDs: [UUID], categoryIDs: [UUID], evaluatedDepartmentIDs: [UUID],
                evaluationDays: Int) {
        self.title = title
        self.problem = problem
        self.measures = measures
        self.acceptanceCriteria = acceptanceCriteria
        self.departmentID = departmentID
        self.responsibleUserID = responsibleUserID
        self.dueAt = dueAt
        self.complaintIDs = complaintIDs
        self.categoryIDs = categoryIDs
        self.evaluatedDepartmentIDs = evaluatedDepartmentIDs
        self.evaluationDays = evaluationDays
    }
}

/// A rectification task as stored, with the complaints it comes from.
public struct RectificationTask: Sendable, Equatable {
    public var id: UUID
    public var branchID: UUID
    public var title: String
    public var problem: String
    public var measures: [RectificationMeasure]
    public var acceptanceCriteria: String
    public var departmentID: UUID
    public var responsibleUserID: UUID
    public var dueAt: Date
    public var categoryIDs: [UUID]
    public var evaluatedDepartmentIDs: [UUID]
    public var evaluationDays: Int
    /// `open`, `submitted` or `accepted`.
    public var status: String
    public var progressPercent: Int
    /// Open and past its deadline.
    public var overdue: Bool
    public var createdBy: UUID
    public var createdAt: Date
    public var acceptanceReport: String?
    public var submittedBy: UUID?
    public var submittedAt: Date?
    /// How often an acceptance report was sent back.
    public var sentBackCount: Int
    public var acceptedBy: UUID?
    public var acceptedAt: Date?
    /// When the scheduler escalated it as overdue.
    public var escalatedAt: Date?
    /// The complaints it comes from that the reader sees.
    public var complaintIDs: [UUID]
    /// The steps taken (changes of status).
    public var steps: Int
}

/// An entry of a rectification task's timeline.
public struct RectificationEvent: Sendable, Equatable {
    public var id: UUID
    public var at: Date
    /// `created`, `progress`, `submitted`, `sent_back`, `accepted` or `overdue`.
    public var kind: String
    /// Nil for the scheduler's `overdue`.
    public var actorID: UUID?
    public var note: String?
    /// The step's figures: `progressPercent`; for `overdue`, `dueAt`, `lateSeconds` and `recipients`.
    public var after: [String: JSONDocument]
}

/// The effect of an accepted task: complaints of its categories and departments that the reader
/// sees, in the period before the task was made and in as long a period from its acceptance.
public struct RectificationEffect: Sendable, Equatable {
    public var createdAt: Date
    public var acceptedAt: Date
    public var periodDays: Int
    public var before: Int
    public var after: Int
    /// Whether the period from acceptance has passed, so that the figures no longer change.
    public var final: Bool

    /// The change from before to after in percent of before, once final; nil before then, or when
    /// there were none before.
    public var changePercent: Double? {
        guard final, before > 0 else { return nil }
        return (Double(after - before) / Double(before) * 1000).rounded() / 10
    }
}

/// Which rectification tasks to list.
public struct RectificationFilter: Sendable, Equatable {
    public var status: String?
    /// Only those open and past their deadline (true) or not (false).
    public var overdue: Bool?
    public var departmentID: UUID?
    public var complaintID: UUID?

    /// Creates a filter.
    public init(status: String? = nil, overdue: Bool? = nil, departmentID: UUID? = nil, complaintID: UUID? = nil) {
        self.status = status
        self.overdue = overdue
        self.departmentID = departmentID
        self.complaintID = complaintID
    }
}
