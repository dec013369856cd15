/// What the Citus port has not reached yet, by name: rows of the table of what is still to be
/// done in `docs/scaling.md`. `CitusSchemaLintTests` fails on anything breaking a rule that is not listed
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

    /// Wake-ups for the scheduler and the deliverer, sent from triggers.
    static let notifyingTriggers = [
        "branch_calendars.branch_calendars_changed", "branches.branches_time_zone_changed", "complaints.complaints_follow_ups",
        "sla_policies.sla_policies_changed",
    ]

    /// Seeding a new branch, its time-zone changes, and its audit entries.
    static let triggersOnBranches = ["audited", "branches_seed_categories", "branches_seed_sla", "branches_time_zone_changed"]

    /// SQL-language functions with parameters that query tables: the recipients of a page and the
    /// report, which the planner inlines into the statements that call them.
    static let parameterisedSQLFunctions = [
        "reports.complaints(date,date,date,text,uuid,uuid,text,text,smallint)", "reports.label(text,text)",
        "scheduler.ladder_recipients(uuid,uuid,integer,uuid,boolean)",
    ]
}
