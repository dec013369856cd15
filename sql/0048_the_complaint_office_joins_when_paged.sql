-- When an escalation tier pages the complaint office (tier 2 of the standard ladder), the office
-- joins the complaint as a collaborating department: its people then see and work on it like any
-- collaborator, and the timeline says so (`office_joined`). The scheduler calls this in the
-- transaction that fired the tier, so it happens exactly once with it, catch-up included; joining
-- again changes nothing. The complaint's child rows follow its new visibility (0033).
CREATE FUNCTION scheduler.join_complaint_office(branch uuid, complaint uuid, fired_tier integer) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    office uuid;
    joined public.complaints;
BEGIN
    SELECT d.id INTO office
      FROM public.departments d
     WHERE d.branch_id = branch AND d.kind = 'complaint_office'
     ORDER BY d.name, d.id
     LIMIT 1;
    IF office IS NULL OR NOT EXISTS (
            SELECT FROM public.complaints c
              JOIN public.sla_policies p ON p.branch_id = c.branch_id AND p.id = c.sla_policy_id
             CROSS JOIN LATERAL jsonb_array_elements(p.document -> 'ladder') AS step
             WHERE c.branch_id = branch AND c.id = complaint AND (step ->> 'tier')::integer = fired_tier
               AND step -> 'recipients' ? 'complaint_office') THEN
        RETURN false;
    END IF;
    UPDATE public.complaints c
       SET collaborating_department_ids = c.collaborating_department_ids || office, updated_at = now()
     WHERE c.branch_id = branch AND c.id = complaint
       AND c.department_id IS DISTINCT FROM office AND NOT office = ANY (c.collaborating_department_ids)
    RETURNING * INTO joined;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM public.follow_case(branch, complaint);
    INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                         case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    VALUES (branch, complaint, 'office_joined', jsonb_build_object('departmentId', office::text, 'tier', fired_tier::text),
            joined.department_id, joined.collaborating_department_ids, joined.responsible_user_id);
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION scheduler.join_complaint_office(uuid, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.join_complaint_office(uuid, uuid, integer) TO redress_scheduler;
