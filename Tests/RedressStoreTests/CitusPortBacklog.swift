/// What the Citus port has not reached yet, by name: rows of the table of what is still to be
/// done in `docs/scaling.md`. `CitusSchemaLintTests` fails on anything breaking a rule that is not listed
/// here, and on anything listed here that no longer breaks it.
enum CitusPortBacklog {
    /// Policies that read another table in a sub-select: an API key's bot, a user's HQ grants; as
    /// `table.policy`.
    static let subSelectPolicies = ["api_keys.administered_insert", "users.administered_delete", "users.administered_update"]

    /// Wake-ups for the scheduler and the deliverer, sent from triggers.
    static let notifyingTriggers = [
        "branch_calendars.branch_calendars_changed", "branches.branches_time_zone_changed", "complaints.complaints_follow_ups",
        "sla_policies.sla_policies_changed",
    ]

    /// Seeding a new branch, its time-zone changes, and its audit entries.
    static let triggersOnBranches = ["audited", "branches_seed_categories", "branches_seed_sla", "branches_time_zone_changed"]
}
