-- The rerouting before a claim (`scheduler.reroute_due`) chose the complaints to move by a reading
-- without locks, then locked them and read them again; the second reading checked that the rules
-- still moved each one, but not that it was still open, due and not stale. A complaint a person
-- closed between the two (or whose deadlines a calendar change made stale) was moved all the
-- same: a closed complaint handed over to another department, with a hand-over and a `rerouted`
-- timeline entry after its closing. Now the statement that locks them keeps only those still
-- open, due and not stale, so what is moved is what the claim after it may fire on.
-- The function stays the writer's (0088): replacing it keeps its owner and its grants.

CREATE OR REPLACE FUNCTION scheduler.reroute_due(branch uuid, batch integer, work text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    looked uuid[];
    candidates uuid[];
    locked uuid[];
    targets uuid[];
    reasons text[];
    movable uuid[] := '{}';
    moved uuid[];
    from_departments uuid[];
    to_departments uuid[];
    from_users uuid[];
    moved_reasons text[];
    complaint uuid;
    self_audited boolean := current_user = 'redress_audit_writer';
    rows_before jsonb[];
    rows_after jsonb[];
BEGIN
    -- The first `batch` due complaints in the order the claim after this one takes them, read
    -- without locking: a burst is looked at a batch at a time, not all of it on every pass. The
    -- claim of `escalate_due` leaves a complaint the rules would move for a later pass, so one this
    -- pass cannot move (another scheduler holds it) is never escalated where it is.
    IF work = 'escalations' THEN
        SELECT coalesce(array_agg(u.id), '{}') INTO looked
          FROM (SELECT c.id FROM public.complaints c
                 WHERE c.branch_id = branch AND c.next_escalation_at <= now() AND NOT c.sla_stale
                 ORDER BY c.next_escalation_at, c.id
                 LIMIT batch) u;
    ELSE
        SELECT coalesce(array_agg(u.id), '{}') INTO looked
          FROM (SELECT c.id FROM public.complaints c
                 WHERE c.branch_id = branch AND c.next_alarm_at <= now() AND NOT c.sla_stale
                   AND (c.next_escalation_at IS NULL OR c.next_escalation_at > now())
                 ORDER BY c.next_alarm_at, c.id
                 LIMIT batch) u;
    END IF;

    SELECT coalesce(array_agg(p.id), '{}'), coalesce(array_agg(p.target), '{}'), coalesce(array_agg(p.reason), '{}')
      INTO candidates, targets, reasons
      FROM (SELECT c.id, t.department_id AS target,
                   CASE WHEN c.department_id IS NULL THEN 'unrouted'
                        WHEN NOT d.active THEN 'department_inactive' ELSE 'routing_rule' END AS reason
              FROM public.complaints c
              LEFT JOIN public.departments d ON d.branch_id = c.branch_id AND d.id = c.department_id
             CROSS JOIN LATERAL (
                    SELECT r.department_id FROM public.routing_rules r
                      JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                     WHERE r.branch_id = branch AND r.category_id = c.category_id
                       AND (r.channel IS NULL OR r.channel = c.channel)
                       AND (r.level IS NULL OR r.level = c.level)
                       AND (r.product IS NULL OR lower(r.product) = lower(c.product))
                     ORDER BY r.position, (r.channel IS NOT NULL)::int + (r.level IS NOT NULL)::int + (r.product IS NOT NULL)::int DESC,
                              r.id::text
                     LIMIT 1) t
             WHERE c.branch_id = branch AND c.id = ANY (looked) AND c.status NOT IN ('closed', 'archived')
               AND c.department_id IS DISTINCT FROM t.department_id
               AND CASE WHEN c.department_id IS NULL THEN work = 'alarms'
                        WHEN NOT d.active THEN true
                        ELSE c.department_by_rule AND c.responsible_user_id IS NULL END) p;
    -- Locked only while still open, due and not stale: between the reading above and the lock, a
    -- person may have closed it or acknowledged it, or a calendar change made its deadlines stale.
    -- The lock's statement reads the rows as they are now (and again, should one change before it
    -- is locked), so what it keeps holds until the transaction ends.
    SELECT coalesce(array_agg(u.id), '{}') INTO locked
      FROM (SELECT c.id FROM public.complaints c
             WHERE c.branch_id = branch AND c.id = ANY (candidates)
               AND c.status NOT IN ('closed', 'archived') AND NOT c.sla_stale
               AND CASE WHEN work = 'escalations' THEN c.next_escalation_at <= now()
                        ELSE c.next_alarm_at <= now() AND (c.next_escalation_at IS NULL OR c.next_escalation_at > now()) END
               FOR UPDATE SKIP LOCKED) u;
    FOREACH complaint IN ARRAY locked LOOP
        IF pg_try_advisory_xact_lock(public.case_lock_key(complaint)) THEN
            movable := movable || complaint;
        END IF;
    END LOOP;

    -- Read again now that they are locked: another scheduler or a person may have moved one since.
    SELECT coalesce(array_agg(c.id), '{}'), coalesce(array_agg(c.department_id), '{}'), coalesce(array_agg(m.target), '{}'),
           coalesce(array_agg(c.responsible_user_id), '{}'), coalesce(array_agg(m.reason), '{}')
      INTO moved, from_departments, to_departments, from_users, moved_reasons
      FROM unnest(candidates, targets, reasons) AS m (id, target, reason)
      JOIN public.complaints c ON c.branch_id = branch AND c.id = m.id
     WHERE m.id = ANY (movable) AND c.department_id IS DISTINCT FROM m.target
       AND (m.reason <> 'routing_rule' OR c.department_by_rule AND c.responsible_user_id IS NULL);

    WITH before AS (
        SELECT c.id, CASE WHEN self_audited THEN to_jsonb(c) END AS entry FROM public.complaints c
         WHERE c.branch_id = branch AND c.id = ANY (moved)
    ), changed AS (
        UPDATE public.complaints c SET department_id = m.to_department_id, department_by_rule = true, responsible_user_id = NULL,
                                       updated_at = now()
          FROM unnest(moved, to_departments) AS m (complaint_id, to_department_id)
         WHERE c.branch_id = branch AND c.id = m.complaint_id
        RETURNING c.id, CASE WHEN self_audited THEN to_jsonb(c) END AS entry
    )
    SELECT array_agg(b.entry ORDER BY ch.id), array_agg(ch.entry ORDER BY ch.id) INTO rows_before, rows_after
      FROM changed ch JOIN before b ON b.id = ch.id;
    IF self_audited THEN
        PERFORM audit.record_rows('complaints', 'update', rows_before, rows_after);
    END IF;
    -- The copies of the case's visibility on its child rows: fields the trail leaves out, so no entry.
    FOREACH complaint IN ARRAY moved LOOP
        PERFORM public.follow_case(branch, complaint);
    END LOOP;

    WITH written AS (
        INSERT INTO public.complaint_handovers (branch_id, complaint_id, from_department_id, to_department_id, from_user_id, reason,
                                                case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT branch, m.complaint_id, m.from_department_id, m.to_department_id, m.from_user_id,
               CASE m.reason WHEN 'department_inactive' THEN 'the department is inactive: routed again by the routing rules'
                             WHEN 'unrouted' THEN 'routed by the routing rules when its deadline passed'
                             ELSE 'the routing rules now choose this department' END,
               c.department_id, c.collaborating_department_ids, c.responsible_user_id
          FROM unnest(moved, from_departments, to_departments, from_users, moved_reasons)
               AS m (complaint_id, from_department_id, to_department_id, from_user_id, reason)
          JOIN public.complaints c ON c.branch_id = branch AND c.id = m.complaint_id
        RETURNING CASE WHEN self_audited THEN to_jsonb(complaint_handovers.*) END AS entry
    )
    SELECT array_agg(w.entry) INTO rows_after FROM written w;
    IF self_audited THEN
        PERFORM audit.record_rows('complaint_handovers', 'insert', NULL, rows_after);
    END IF;
    WITH written AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, before, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT branch, m.complaint_id, 'rerouted',
               jsonb_strip_nulls(jsonb_build_object('departmentId', m.from_department_id::text, 'responsibleUserId', m.from_user_id::text)),
               jsonb_build_object('departmentId', m.to_department_id::text, 'reason', m.reason),
               c.department_id, c.collaborating_department_ids, c.responsible_user_id
          FROM unnest(moved, from_departments, to_departments, from_users, moved_reasons)
               AS m (complaint_id, from_department_id, to_department_id, from_user_id, reason)
          JOIN public.complaints c ON c.branch_id = branch AND c.id = m.complaint_id
        RETURNING CASE WHEN self_audited THEN to_jsonb(complaint_events.*) END AS entry
    )
    SELECT array_agg(w.entry) INTO rows_after FROM written w;
    IF self_audited THEN
        PERFORM audit.record_rows('complaint_events', 'insert', NULL, rows_after);
    END IF;
    RETURN cardinality(moved);
END
$$;
