-- Complaints have their own branch-wide scope: agents, branch managers, executives and auditors
-- see every complaint of their branches, but an admin, who sees the branch's configuration and
-- people, does not see its complaints (and their customers' personal data) by being an admin.
--
--   redress.case_branch_ids   branches where the caller sees every complaint

CREATE FUNCTION scope.case_branch_ids() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT scope.uuid_setting('redress.case_branch_ids') $$;
REVOKE ALL ON FUNCTION scope.case_branch_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scope.case_branch_ids() TO redress_service;

ALTER POLICY visible ON complaints
    USING (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
           OR department_id = ANY ((SELECT scope.department_ids())::uuid[])
           OR collaborating_department_ids && (SELECT scope.department_ids())
           OR (responsible_user_id = (SELECT scope.user_id()) AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])));
ALTER POLICY intake ON complaints
    WITH CHECK (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR department_id = ANY ((SELECT scope.department_ids())::uuid[]));
ALTER POLICY handling ON complaints
    USING (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
           OR department_id = ANY ((SELECT scope.department_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR department_id = ANY ((SELECT scope.department_ids())::uuid[]));

ALTER POLICY recorded ON complaint_pauses
    WITH CHECK (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id
                        AND (c.branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                             OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))));
ALTER POLICY ended ON complaint_pauses
    USING (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id
                   AND (c.branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                        OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))))
    WITH CHECK (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id
                        AND (c.branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                             OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))));
ALTER POLICY approved ON complaint_plans
    USING (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
           OR EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_plans.branch_id
                      AND c.id = complaint_plans.complaint_id AND c.department_id = ANY ((SELECT scope.department_ids())::uuid[])))
    WITH CHECK (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
           OR EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_plans.branch_id
                      AND c.id = complaint_plans.complaint_id AND c.department_id = ANY ((SELECT scope.department_ids())::uuid[])));
