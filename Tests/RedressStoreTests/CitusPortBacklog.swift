/// What the Citus port has not reached yet, by name: the rows of the table "Left to port" in
/// `docs/scaling.md`. `CitusSchemaLintTests` fails on anything breaking a rule that is not listed
/// here, and on anything listed here that no longer breaks it.
enum CitusPortBacklog {
    /// Policies still reading scope through the InitPlan sub-select or a complaint's row.
    static let tablesWithSubSelectPolicies = [
        "api_keys", "audit_log", "branch_calendars", "branches", "categories", "complaint_communications",
        "complaint_events", "complaint_evidence", "complaint_findings", "complaint_handovers", "complaint_pauses",
        "complaint_plans", "complaint_surveys", "complaints", "delivery_attempts", "departments", "escalations",
        "follow_ups", "hq_grants", "page_deliveries", "pages", "routing_rules", "sessions", "sla_policies", "users",
        "webhooks",
    ]

    /// The escalation timeline and the delivery outbox are written from the inserted rows.
    static let transitionTableTriggers = ["escalations.escalations_noted", "pages.pages_enqueued"]

    /// Wake-ups for the scheduler and the deliverer, sent from triggers.
    static let notifyingTriggers = [
        "branch_calendars.branch_calendars_changed", "branches.branches_time_zone_changed", "complaints.complaints_follow_ups",
        "pages.pages_enqueued", "sla_policies.sla_policies_changed",
    ]

    /// `mark_sla_stale` picks its branch column by table; `refuse_unrevoking` names the table in its error.
    static let triggerFunctionsReadingTheTableName = ["refuse_unrevoking", "scheduler.mark_sla_stale"]

    /// Seeding a new branch, its time-zone changes, and its audit entries.
    static let triggersOnBranches = ["audited", "branches_seed_categories", "branches_seed_sla", "branches_time_zone_changed"]

    /// Store statements that lock a complaint or a follow-up by id alone, or a batch across branches.
    static let storeClaimsAcrossBranches = [
        "ComplaintStore+Classification.swift", "ComplaintStore+Steps.swift", "FollowUpStore.swift", "PersonalDataStore.swift",
    ]

    /// SQL-language functions with parameters that query tables.
    static let parameterisedSQLFunctions = [
        "audit.append(uuid,text,text,uuid,jsonb,jsonb)", "audit.without(jsonb,text[])", "auth.resolve(bytea)",
        "auth.upgrade_password_hash(text,text,text,text)",
        "reports.complaints(date,date,date,text,uuid,uuid,text,text,smallint)", "reports.label(text,text)",
        "retention.erased_values(jsonb)", "scheduler.ladder_recipients(uuid,uuid,integer,uuid,boolean)",
        "scheduler.record_delivery(uuid,uuid,integer,timestamp with time zone,integer,integer,text,timestamp with time zone)",
        "seed_categories(uuid)", "seed_sla(uuid)",
    ]
}
