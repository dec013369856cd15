/// What the Citus port has not reached yet, by name: rows of the table of what is still to be
/// done in `docs/scaling.md`. `CitusSchemaLintTests` fails on anything breaking a rule that is not listed
/// here, and on anything listed here that no longer breaks it.
enum CitusPortBacklog {
    /// Policies still reading scope through the InitPlan sub-select, or a complaint's row, as
    /// `table.policy`.
    static let subSelectPolicies = [
        "api_keys.administered_insert", "api_keys.administered_update", "api_keys.own_or_administered",
        "audit_log.audited", "branch_calendars.administered", "branch_calendars.scheduled",
        "branch_calendars.visible", "branches.administered", "branches.scheduled", "branches.visible",
        "categories.administered", "categories.visible", "complaint_communications.recorded",
        "complaint_communications.visible", "complaint_events.recorded", "complaint_events.visible",
        "complaint_evidence.recorded", "complaint_evidence.visible", "complaint_findings.recorded",
        "complaint_findings.visible", "complaint_handovers.recorded", "complaint_handovers.visible",
        "complaint_pauses.ended", "complaint_pauses.recorded", "complaint_pauses.scheduled",
        "complaint_pauses.visible", "complaint_plans.approved", "complaint_plans.proposed",
        "complaint_plans.visible", "complaint_surveys.recorded", "complaint_surveys.visible", "complaints.handling",
        "complaints.intake", "complaints.rescheduled", "complaints.scheduled", "complaints.visible",
        "delivery_attempts.administered", "departments.administered_delete", "departments.administered_insert",
        "departments.administered_update", "departments.visible", "escalations.visible", "follow_ups.visible",
        "hq_grants.visible", "page_deliveries.administered", "pages.acknowledged", "pages.visible",
        "routing_rules.administered", "routing_rules.visible", "sessions.own_or_administered", "sessions.revoke",
        "sla_policies.administered", "sla_policies.scheduled", "sla_policies.visible", "users.administered_delete",
        "users.administered_insert", "users.administered_update", "users.visible", "webhooks.administered",
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
