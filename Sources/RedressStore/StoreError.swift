import Postgres
import RedressCore

/// What a store operation could not do, in terms the API maps to problem responses.
public enum StoreError: Error, Sendable, Equatable {
    /// No row with that id that the caller may see.
    case notFound
    /// A unique value is taken (`field` names the request field).
    case conflict(field: String, message: String)
    /// A referenced row does not exist in the caller's branch, or is not of the right kind.
    case invalidReference(field: String, message: String)
    /// A value broke a database rule the request checks did not catch.
    case invalidValue(field: String, message: String)
    /// The database refused the change for this caller (role or row-level security).
    case forbidden
    /// The complaint's lifecycle does not allow the step now.
    case lifecycle(ComplaintLifecycle.Refusal)
    /// The database cannot be reached now (no connection, the pool exhausted or closed, the
    /// connection lost mid-transaction); the caller may retry. A change whose connection was lost
    /// at its commit may have been made, so a retry must be safe to repeat (an `Idempotency-Key`).
    case unavailable
    /// The database cancelled a statement that ran longer than allowed; nothing was changed.
    case tookTooLong

    /// What a failure of the database itself means for a caller, with a line for the log;
    /// nil for anything else (an error the stores did not expect).
    public static func failure(_ error: any Error) -> (error: StoreError, log: String)? {
        guard let error = error as? PGError else { return nil }
        if error.isConnectionLevel || error.code == .acquireTimeout || error.code == .poolClosed {
            return (.unavailable, error.debugDescription)
        }
        if error.sqlState == .queryCanceled { return (.tookTooLong, error.debugDescription) }
        return nil
    }

    /// Field names for the constraints the schema declares, so errors can name request fields.
    static let constraintFields: [String: String] = [
        "users_branch_id_login_key": "/login",
        "users_login_check": "/login",
        "users_check": "/password",
        "users_password_hash_bcrypt": "/password",
        "users_department_ids_fkey": "/departmentIds",
        "users_roles_check": "/roles",
        "departments_branch_id_name_key": "/name",
        "departments_branch_id_head_user_id_fkey": "/headUserId",
        "api_keys_branch_id_name_key": "/name",
        "api_keys_branch_id_user_id_fkey": "/userId",
        "api_keys_user_is_bot_fkey": "/userId",
        "branches_code_key": "/code",
        "complaints_branch_id_category_id_fkey": "/categoryId",
        "complaints_collaborating_department_ids_fkey": "/collaboratingDepartmentIds",
        "complaints_collaborators_capped": "/collaboratingDepartmentIds",
        "complaint_plans_branch_id_responsible_department_id_fkey": "/plan/responsibleDepartmentId",
        "complaint_plans_branch_id_responsible_user_id_fkey": "/plan/responsibleUserId",
        "complaint_plans_pending": "/plan",
        "categories_branch_id_code_key": "/code",
        "categories_code_check": "/code",
        "categories_branch_id_parent_id_fkey": "/parentId",
        "routing_rules_branch_id_category_id_fkey": "/categoryId",
        "routing_rules_branch_id_department_id_fkey": "/departmentId",
        "complaints_branch_id_department_id_fkey": "/departmentId",
        "complaints_branch_id_responsible_user_id_fkey": "/responsibleUserId",
        "sla_policies_branch_id_name_key": "/name",
        "sla_policies_name_check": "/name",
        "webhooks_branch_id_user_id_fkey": "/userId",
        "webhooks_url_check": "/url",
        "users_password_change_needs_a_password": "/passwordChangeRequired",
        "pages_relayed_for_a_recipient": "/onBehalfOf",
        "pages_snooze_within_the_ack_window": "/minutes",
        "pages_snooze_while_waiting": "/minutes",
        "pages_handed_within_the_rung": "/toUserId",
        "pages_handed_while_waiting": "id",
        "published_plans_current": "planId",
        "kpi_targets_department": "departmentId",
        "kpi_targets_target_check": "/target",
    ]

    /// What a broken rule means, for the rules whose plain "is not allowed" would not say.
    static let constraintMessages = [
        "pages_relayed_for_a_recipient": "names nobody paged for this escalation",
        "pages_snooze_within_the_ack_window": "reaches past the policy's acknowledgement window",
        "pages_snooze_while_waiting": "comes too late: the escalation no longer waits for an acknowledgement",
        "pages_handed_within_the_rung": "names nobody who could have been paged in the same capacity",
        "pages_handed_while_waiting": "names a page whose escalation no longer waits for an acknowledgement",
    ]

    /// Translates the database errors a caller can cause; anything else is rethrown unchanged.
    static func translating<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as PGError {
            guard let sqlState = error.sqlState else { throw error }
            let field = error.constraint.flatMap { constraintFields[$0] } ?? error.column.map { "/" + $0 } ?? "body"
            switch sqlState {
            case .uniqueViolation: throw StoreError.conflict(field: field, message: "is already taken")
            case .foreignKeyViolation: throw StoreError.invalidReference(field: field, message: "does not exist in this branch")
            case .checkViolation, .notNullViolation:
                throw StoreError.invalidValue(field: field, message: error.constraint.flatMap { constraintMessages[$0] } ?? "is not allowed")
            case .insufficientPrivilege: throw StoreError.forbidden
            case _ where sqlState.rawValue.hasPrefix("22"):
                throw StoreError.invalidValue(field: field, message: "is not a value the database accepts")
            default: throw error
            }
        }
    }
}
