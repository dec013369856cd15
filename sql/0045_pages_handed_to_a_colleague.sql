-- A person paged may hand their page to a colleague who could have been paged in the same
-- capacity (a deputy head of the complaint's department, another branch manager, a member of the
-- complaint office, another executive of the branch). The colleague gets a page of their own for
-- the same escalation and rung; the escalation keeps waiting for a person's acknowledgement. The
-- hand-off is on the timeline, which the page's recipient may write whether or not they may
-- otherwise change the complaint.

ALTER TABLE public.pages
    ADD COLUMN handed_to uuid,
    ADD COLUMN handed_at timestamptz,
    ADD COLUMN handed_from uuid;
GRANT UPDATE (handed_to, handed_at) ON public.pages TO redress_service;

-- Whether `person` may take a page of `kind` for a complaint of `department` in `branch`.
CREATE FUNCTION scheduler.may_take_page(branch uuid, kind text, department uuid, person uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    RETURN EXISTS (
        SELECT FROM public.users u
         WHERE u.branch_id = branch AND u.id = person AND u.active AND NOT u.is_bot
           AND CASE kind
                   WHEN 'department_head' THEN 'department_head' = ANY (u.roles)
                        AND (department = ANY (u.department_ids)
                             OR EXISTS (SELECT FROM public.departments d
                                         WHERE d.branch_id = branch AND d.id = department AND d.head_user_id = u.id))
                   WHEN 'branch_manager' THEN 'branch_manager' = ANY (u.roles)
                   WHEN 'complaint_office' THEN EXISTS (
                        SELECT FROM public.departments d
                         WHERE d.branch_id = branch AND d.kind = 'complaint_office' AND (d.id = ANY (u.department_ids) OR d.head_user_id = u.id))
                   WHEN 'executives' THEN 'executive' = ANY (u.roles)
                   ELSE false
               END);
END
$$;
REVOKE ALL ON FUNCTION scheduler.may_take_page(uuid, text, uuid, uuid) FROM PUBLIC;

-- The colleague's page, made when a page names them in `handed_to`.
CREATE FUNCTION scheduler.hand_page_over() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    branch uuid := NEW.branch_id;
    department uuid;
BEGIN
    SELECT e.department_id INTO department FROM public.escalations e WHERE e.branch_id = branch AND e.id = NEW.escalation_id;
    IF NEW.handed_to = NEW.recipient_user_id OR NOT scheduler.may_take_page(branch, NEW.recipient_kind, department, NEW.handed_to) THEN
        RAISE EXCEPTION 'a page is handed only to someone who could have been paged in the same capacity'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'pages_handed_within_the_rung', TABLE = 'pages';
    END IF;
    INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary,
                              case_department_id, case_collaborating_department_ids, case_responsible_user_id, handed_from)
    VALUES (branch, NEW.escalation_id, NEW.complaint_id, NEW.tier, NEW.rung, NEW.recipient_kind, NEW.handed_to, NEW.late,
            NEW.summary || jsonb_build_object('handedOffBy', NEW.recipient_user_id::text),
            NEW.case_department_id, NEW.case_collaborating_department_ids, NEW.case_responsible_user_id, NEW.recipient_user_id)
    ON CONFLICT ON CONSTRAINT pages_branch_id_escalation_id_recipient_user_id_key DO NOTHING;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION scheduler.hand_page_over() FROM PUBLIC;
CREATE TRIGGER pages_handed AFTER UPDATE OF handed_to ON public.pages FOR EACH ROW
    WHEN (OLD.handed_to IS NULL AND NEW.handed_to IS NOT NULL)
    EXECUTE FUNCTION scheduler.hand_page_over();

-- A timeline entry: one may work on the case, or it notes what one did with one's own page (the
-- foreign key of 0033 holds that the page was one's own).
SELECT public.scoped_policy($$ALTER POLICY recorded ON public.complaint_events
    WITH CHECK ((actor_id = (SELECT scope.user_id()))
                AND ((branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                      AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                           OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                           OR case_collaborating_department_ids && (SELECT scope.department_ids())
                           OR case_responsible_user_id = (SELECT scope.user_id())))
                     OR (kind IN ('page_acknowledged', 'page_handed_off') AND page_id IS NOT NULL
                         AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))))$$);
