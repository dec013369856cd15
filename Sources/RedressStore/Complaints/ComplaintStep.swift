import Foundation
import RedressCore

/// A lifecycle step with the values it records.
public struct ComplaintStep: Sendable, Equatable {
    public var action: ComplaintAction
    /// A note for the timeline (a reason for rejections, reopenings and hand-overs).
    public var note: String?
    /// Grading: category, level 1–3, nature (general or major), priority.
    public var categoryID: UUID?
    public var level: Int?
    public var nature: String?
    public var priority: String?
    /// Grading: the result time promised to the customer in the initial reply.
    public var promisedBy: Date?
    /// Assignment: the responsible department and person.
    public var departmentID: UUID?
    public var responsibleUserID: UUID?
    /// Assignment: the departments that collaborate (replacing the previous list).
    public var collaboratingDepartmentIDs: [UUID]?
    /// The satisfaction score 1–10.
    public var satisfaction: Int?
    /// The resolution told to the customer, or why the complaint is invalid.
    public var resolution: String?
    /// The plan, for `proposePlan`.
    public var plan: NewPlan?
    /// The regulator's filing reference, for the final `approvePlan` of a plan that needs filing.
    public var regulatorReference: String?
    /// How the satisfaction was collected, with dimension scores, for `recordSatisfaction`.
    public var survey: Survey?

    /// Creates a step.
    public init(_ action: ComplaintAction, note: String? = nil, categoryID: UUID? = nil, level: Int? = nil,
                nature: String? = nil, priority: String? = nil, promisedBy: Date? = nil, departmentID: UUID? = nil,
                responsibleUserID: UUID? = nil, collaboratingDepartmentIDs: [UUID]? = nil, satisfaction: Int? = nil, resolution: String? = nil,
                plan: NewPlan? = nil, regulatorReference: String? = nil, survey: Survey? = nil) {
        self.action = action
        self.note = note
        self.categoryID = categoryID
        self.level = level
        self.nature = nature
        self.priority = priority
        self.promisedBy = promisedBy
        self.departmentID = departmentID
        self.responsibleUserID = responsibleUserID
        self.collaboratingDepartmentIDs = collaboratingDepartmentIDs
        self.satisfaction = satisfaction
        self.resolution = resolution
        self.plan = plan
        self.regulatorReference = regulatorReference
        self.survey = survey
    }
}
