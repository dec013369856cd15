-- Policies call the scope functions directly instead of through the per-statement sub-select
-- `(SELECT scope.x())::uuid[]` that 0002 recommended: Citus refuses any sub-select in a policy on a
-- distributed table ("Subqueries are not supported in policies on distributed tables"). PostgreSQL
-- now evaluates a scope function once per row it filters rather than once per statement (about
-- 1 µs a row for an array of a few ids), except where the comparison is an index condition, which
-- is evaluated once; `scripts/bench rls` measures what that costs a listing (docs/scaling.md).
--
-- The expressions are otherwise those of 0003–0021. The policies that read another table (child
-- rows through their complaint, API keys through their bot, users through their HQ grants) are
-- still to be ported; they are listed in the port's backlog in docs/scaling.md.

ALTER POLICY administered_update ON api_keys
    USING (branch_id = ANY (scope.admin_branch_ids()))
    WITH CHECK ((revoked_at IS NOT NULL) AND (branch_id = ANY (scope.admin_branch_ids())));
ALTER POLICY own_or_administered ON api_keys
    USING (((branch_id = ANY (scope.branch_ids())) AND (user_id = scope.user_id())) OR (branch_id = ANY (scope.admin_branch_ids())));
ALTER POLICY audited ON audit_log
    USING (('auditor'::text = ANY (scope.roles())) AND (branch_id = ANY (scope.case_branch_ids())));
ALTER POLICY administered ON branch_calendars
    USING (branch_id = ANY (scope.admin_branch_ids()))
    WITH CHECK (branch_id = ANY (scope.admin_branch_ids()));
ALTER POLICY scheduled ON branch_calendars
    USING (branch_id = ANY (scope.branch_ids()));
ALTER POLICY visible ON branch_calendars
    USING (branch_id = ANY (scope.branch_ids()));
ALTER POLICY administered ON branches
    USING (id = ANY (scope.admin_branch_ids()))
    WITH CHECK (id = ANY (scope.admin_branch_ids()));
ALTER POLICY scheduled ON branches
    USING (id = ANY (scope.branch_ids()));
ALTER POLICY visible ON branches
    USING (id = ANY (scope.branch_ids()));
ALTER POLICY administered ON categories
    USING (branch_id = ANY (scope.admin_branch_ids()))
    WITH CHECK (branch_id = ANY (scope.admin_branch_ids()));
ALTER POLICY visible ON categories
    USING (branch_id = ANY (scope.branch_ids()));
ALTER POLICY scheduled ON complaint_pauses
    USING (branch_id = ANY (scope.branch_ids()));
ALTER POLICY handling ON complaints
    USING ((branch_id = ANY (scope.branch_ids())) AND ((branch_id = ANY (scope.case_write_branch_ids())) OR (department_id = ANY (scope.department_ids()))))
    WITH CHECK ((branch_id = ANY (scope.branch_ids())) AND ((branch_id = ANY (scope.case_write_branch_ids())) OR (department_id = ANY (scope.department_ids()))));
ALTER POLICY intake ON complaints
    WITH CHECK ((branch_id = ANY (scope.branch_ids())) AND ((branch_id = ANY (scope.case_write_branch_ids())) OR (department_id = ANY (scope.department_ids()))));
ALTER POLICY rescheduled ON complaints
    USING (branch_id = ANY (scope.wide_branch_ids()))
    WITH CHECK (branch_id = ANY (scope.wide_branch_ids()));
ALTER POLICY scheduled ON complaints
    USING (branch_id = ANY (scope.wide_branch_ids()));
ALTER POLICY visible ON complaints
    USING ((branch_id = ANY (scope.branch_ids())) AND ((branch_id = ANY (scope.case_branch_ids())) OR (department_id = ANY (scope.department_ids())) OR (collaborating_department_ids && scope.department_ids()) OR (responsible_user_id = scope.user_id())));
ALTER POLICY administered ON delivery_attempts
    USING (branch_id = ANY (scope.admin_branch_ids()));
ALTER POLICY administered_delete ON departments
    USING (branch_id = ANY (scope.admin_branch_ids()));
ALTER POLICY administered_insert ON departments
    WITH CHECK (branch_id = ANY (scope.admin_branch_ids()));
ALTER POLICY administered_update ON departments
    USING (branch_id = ANY (scope.admin_branch_ids()))
    WITH CHECK (branch_id = ANY (scope.admin_branch_ids()));
ALTER POLICY visible ON departments
    USING (branch_id = ANY (scope.branch_ids()));
ALTER POLICY visible ON hq_grants
    USING ((branch_id = ANY (scope.branch_ids())) AND ((user_id = scope.user_id()) OR (branch_id = ANY (scope.wide_branch_ids()))));
ALTER POLICY administered ON page_deliveries
    USING (branch_id = ANY (scope.admin_branch_ids()));
ALTER POLICY acknowledged ON pages
    USING ((recipient_user_id = scope.user_id()) AND (branch_id = ANY (scope.branch_ids())))
    WITH CHECK (recipient_user_id = scope.user_id());
ALTER POLICY administered ON routing_rules
    USING (branch_id = ANY (scope.admin_branch_ids()))
    WITH CHECK (branch_id = ANY (scope.admin_branch_ids()));
ALTER POLICY visible ON routing_rules
    USING (branch_id = ANY (scope.branch_ids()));
ALTER POLICY own_or_administered ON sessions
    USING (((branch_id = ANY (scope.branch_ids())) AND (user_id = scope.user_id())) OR (branch_id = ANY (scope.admin_branch_ids())));
ALTER POLICY revoke ON sessions
    USING (((branch_id = ANY (scope.branch_ids())) AND (user_id = scope.user_id())) OR (branch_id = ANY (scope.admin_branch_ids())))
    WITH CHECK ((revoked_at IS NOT NULL) AND (((branch_id = ANY (scope.branch_ids())) AND (user_id = scope.user_id())) OR (branch_id = ANY (scope.admin_branch_ids()))));
ALTER POLICY administered ON sla_policies
    USING (branch_id = ANY (scope.admin_branch_ids()))
    WITH CHECK (branch_id = ANY (scope.admin_branch_ids()));
ALTER POLICY scheduled ON sla_policies
    USING (branch_id = ANY (scope.branch_ids()));
ALTER POLICY visible ON sla_policies
    USING (branch_id = ANY (scope.branch_ids()));
ALTER POLICY administered_insert ON users
    WITH CHECK ((branch_id = ANY (scope.admin_branch_ids())) AND (NOT (roles && ARRAY['executive'::text, 'auditor'::text])));
ALTER POLICY visible ON users
    USING ((branch_id = ANY (scope.branch_ids())) AND ((branch_id = ANY (scope.wide_branch_ids())) OR (id = scope.user_id()) OR (department_ids && scope.department_ids())));
ALTER POLICY administered ON webhooks
    USING (branch_id = ANY (scope.admin_branch_ids()))
    WITH CHECK (branch_id = ANY (scope.admin_branch_ids()));
