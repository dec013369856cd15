-- A department can be set inactive (it keeps its history; deleting it would not be allowed while
-- complaints name it). The routing rules then pass it over at intake (`ComplaintStore.route`),
-- and a complaint parked in it is re-routed when its next tier falls due: the scheduler, in the
-- transaction that fires the tier, moves it to the department its branch's first rule for its
-- category names among the active ones, with a hand-over record and a timeline entry, so that the
-- tier pages the new department's head (`scheduler.reroute_parked`). With no such rule it stays.

ALTER TABLE departments ADD COLUMN active boolean NOT NULL DEFAULT true;

-- Re-routes up to `batch` due complaints of `branch` whose department is inactive; returns how
-- many it moved. A complaint whose case another transaction is changing waits for a later pass.
CREATE FUNCTION scheduler.reroute_parked(branch uuid, batch integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    parked uuid[];
    movable uuid[] := '{}';
    moved uuid[];
    from_departments uuid[];
    to_departments uuid[];
    from_users uuid[];
    complaint uuid;
BEGIN
    SELECT coalesce(array_agg(p.id), '{}') INTO parked
      FROM (SELECT c.id FROM public.complaints c
             WHERE c.branch_id = branch AND c.next_escalation_at <= now()
               AND EXISTS (SELECT FROM public.departments d WHERE d.branch_id = branch AND d.id = c.department_id AND NOT d.active)
             ORDER BY c.next_escalation_at
             LIMIT batch
               FOR UPDATE SKIP LOCKED) p;
    FOREACH complaint IN ARRAY parked LOOP
        IF pg_try_advisory_xact_lock(public.case_lock_key(complaint)) THEN
            movable := movable || complaint;
        END IF;
    END LOOP;

    SELECT coalesce(array_agg(c.id), '{}'), coalesce(array_agg(c.department_id), '{}'), coalesce(array_agg(t.department_id), '{}'),
           coalesce(array_agg(c.responsible_user_id), '{}')
      INTO moved, from_departments, to_departments, from_users
      FROM public.complaints c
     CROSS JOIN LATERAL (SELECT r.department_id FROM public.routing_rules r
                           JOIN public.departments d ON d.branch_id = r.branch_id AND d.id = r.department_id AND d.active
                          WHERE r.branch_id = branch AND r.category_id = c.category_id
                          ORDER BY r.position, r.id LIMIT 1) t
     WHERE c.branch_id = branch AND c.id = ANY (movable);

    UPDATE public.complaints c SET department_id = m.to_department_id, responsible_user_id = NULL, updated_at = now()
      FROM unnest(moved, to_departments) AS m (complaint_id, to_department_id)
     WHERE c.branch_id = branch AND c.id = m.complaint_id;
    FOREACH complaint IN ARRAY moved LOOP
        PERFORM public.follow_case(branch, complaint);
    END LOOP;

    INSERT INTO public.complaint_handovers (branch_id, complaint_id, from_department_id, to_department_id, from_user_id, reason,
                                            case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    SELECT branch, m.complaint_id, m.from_department_id, m.to_department_id, m.from_user_id,
           'the department is inactive: routed again by the routing rules',
           c.department_id, c.collaborating_department_ids, c.responsible_user_id
      FROM unnest(moved, from_departments, to_departments, from_users) AS m (complaint_id, from_department_id, to_department_id, from_user_id)
      JOIN public.complaints c ON c.branch_id = branch AND c.id = m.complaint_id;
    INSERT INTO public.complaint_events (branch_id, complaint_id, kind, before, after,
                                         case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    SELECT branch, m.complaint_id, 'rerouted',
           jsonb_strip_nulls(jsonb_build_object('departmentId', m.from_department_id::text, 'responsibleUserId', m.from_user_id::text)),
           jsonb_build_object('departmentId', m.to_department_id::text, 'reason', 'department_inactive'),
           c.department_id, c.collaborating_department_ids, c.responsible_user_id
      FROM unnest(moved, from_departments, to_departments, from_users) AS m (complaint_id, from_department_id, to_department_id, from_user_id)
      JOIN public.complaints c ON c.branch_id = branch AND c.id = m.complaint_id;
    RETURN cardinality(moved);
END
$$;
REVOKE ALL ON FUNCTION scheduler.reroute_parked(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.reroute_parked(uuid, integer) TO redress_scheduler;
