-- A snooze is on the complaint's timeline (`page_snoozed`), written by the page's recipient like
-- an acknowledgement or a hand-off, whether or not they may otherwise change the complaint.
SELECT public.scoped_policy($$ALTER POLICY recorded ON public.complaint_events
    WITH CHECK ((actor_id = (SELECT scope.user_id()))
                AND ((branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                      AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                           OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                           OR case_collaborating_department_ids && (SELECT scope.department_ids())
                           OR case_responsible_user_id = (SELECT scope.user_id())))
                     OR (kind IN ('page_acknowledged', 'page_handed_off', 'page_snoozed') AND page_id IS NOT NULL
                         AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))))$$);
