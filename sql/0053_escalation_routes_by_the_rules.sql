-- On escalation a complaint is routed to its responsible department by the routing rules (SPEC):
-- not only one parked in an inactive department (0052), but also one whose department the rules
-- chose and now choose differently (its category, level or the rules changed since), and one nobody
-- routed whose milestone alarm falls due before its first tier (the tier's own routing step in
-- `escalate_due` routes the others, and now matches as intake does too, where it looked at the
-- category alone). A department a person chose (an assignment or hand-over) is theirs to change:
-- `department_by_rule` tells the two apart. The rules
-- match as the service matches them at intake (`Routing.department`): the first rule by position
-- whose category, channel, level and product conditions hold, the most specific first among equals,
-- its department active. A breach of a complaint no rule routes pages the complaint office's head in
-- place of a department's head, and the office joins it so that its people can open it.

ALTER TABLE complaints ADD COLUMN department_by_rule boolean NOT NULL DEFAULT false;
GRANT UPDATE (department_by_rule) ON complaints TO redress_service;

DROP FUNCTION scheduler.reroute_parked(uuid, integer);

-- Routes again up to `batch` complaints of `branch` whose tiers (`work` = 'escalations', called by
-- `escalate_due`) or alarms ('alarms', when no tier is due with them; then also those nobody
-- routed; called by the scheduler before `raise_alarms`) fall due and whose
-- department the rules would change:
-- moved to the rules' department with a hand-over record and a `rerouted` timeline entry naming why
-- (`department_inactive`, `routing_rule` or `unrouted`); the person responsible is cleared when the
-- department changes under them. Returns how many moved. A complaint whose case another
-- transaction is changing waits for a later pass.
CREATE FUNCTION scheduler.reroute_due(branch uuid, batch integer, work text) RETURNS integer
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
BEGIN
    -- The first `batch` due complaints in the order the claim after this one takes them, read
    -- without locking: a burst is looked at a batch at a time, not all of it on every pass. The
    -- claim of `escalate_due` leaves a complaint the rules would move for a later pass, so one this
    -- pass cannot move (another scheduler holds it) is never escalated where it is.
    IF work = 'escalations' THEN
        SELECT coalesce(array_agg(u.id), '{}') INTO looked
          FROM (SELECT c.id FROM public.complaints c
                 WHERE c.branch_id = branch AND c.next_escalation_at <= now()
                 ORDER BY c.next_escalation_at, c.id
                 LIMIT batch) u;
    ELSE
        SELECT coalesce(array_agg(u.id), '{}') INTO looked
          FROM (SELECT c.id FROM public.complaints c
                 WHERE c.branch_id = branch AND c.next_alarm_at <= now()
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
    SELECT coalesce(array_agg(u.id), '{}') INTO locked
      FROM (SELECT c.id FROM public.complaints c
             WHERE c.branch_id = branch AND c.id = ANY (candidates)
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

    UPDATE public.complaints c SET department_id = m.to_department_id, department_by_rule = true, responsible_user_id = NULL,
                                   updated_at = now()
      FROM unnest(moved, to_departments) AS m (complaint_id, to_department_id)
     WHERE c.branch_id = branch AND c.id = m.complaint_id;
    FOREACH complaint IN ARRAY moved LOOP
        PERFORM public.follow_case(branch, complaint);
    END LOOP;

    INSERT INTO public.complaint_handovers (branch_id, complaint_id, from_department_id, to_department_id, from_user_id, reason,
                                            case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    SELECT branch, m.complaint_id, m.from_department_id, m.to_department_id, m.from_user_id,
           CASE m.reason WHEN 'department_inactive' THEN 'the department is inactive: routed again by the routing rules'
                         WHEN 'unrouted' THEN 'routed by the routing rules when its deadline passed'
                         ELSE 'the routing rules now choose this department' END,
           c.department_id, c.collaborating_department_ids, c.responsible_user_id
      FROM unnest(moved, from_departments, to_departments, from_users, moved_reasons)
           AS m (complaint_id, from_department_id, to_department_id, from_user_id, reason)
      JOIN public.complaints c ON c.branch_id = branch AND c.id = m.complaint_id;
    INSERT INTO public.complaint_events (branch_id, complaint_id, kind, before, after,
                                         case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    SELECT branch, m.complaint_id, 'rerouted',
           jsonb_strip_nulls(jsonb_build_object('departmentId', m.from_department_id::text, 'responsibleUserId', m.from_user_id::text)),
           jsonb_build_object('departmentId', m.to_department_id::text, 'reason', m.reason),
           c.department_id, c.collaborating_department_ids, c.responsible_user_id
      FROM unnest(moved, from_departments, to_departments, from_users, moved_reasons)
           AS m (complaint_id, from_department_id, to_department_id, from_user_id, reason)
      JOIN public.complaints c ON c.branch_id = branch AND c.id = m.complaint_id;
    RETURN cardinality(moved);
END
$$;
REVOKE ALL ON FUNCTION scheduler.reroute_due(uuid, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.reroute_due(uuid, integer, text) TO redress_scheduler;

-- A rung's department head, for a complaint in no department, is the complaint office's head.
CREATE OR REPLACE FUNCTION scheduler.ladder_recipients(branch uuid, policy uuid, rung integer, department uuid, with_bots boolean,
                                                       granted_executives uuid[])
    RETURNS TABLE (kind text, user_id uuid)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, public, pg_temp
    SET jit = off
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT DISTINCT ON (who.user_id) wanted.kind, who.user_id
          FROM (SELECT recipient.kind
                  FROM public.sla_policies p
                 CROSS JOIN LATERAL jsonb_array_elements(p.document -> 'ladder') AS step
                 CROSS JOIN LATERAL jsonb_array_elements_text(step -> 'recipients') AS recipient (kind)
                 WHERE p.branch_id = branch AND p.id = policy AND (step ->> 'tier')::integer = rung) wanted
         CROSS JOIN LATERAL (
                SELECT u.id AS user_id FROM public.departments d JOIN public.users u ON u.branch_id = d.branch_id AND u.id = d.head_user_id
                 WHERE wanted.kind = 'department_head' AND d.branch_id = branch AND u.active
                   AND (d.id = department OR department IS NULL AND d.kind = 'complaint_office')
                UNION ALL
                SELECT u.id FROM public.users u
                 WHERE wanted.kind = 'branch_manager' AND u.branch_id = branch AND 'branch_manager' = ANY (u.roles) AND u.active
                UNION ALL
                SELECT u.id FROM public.departments d JOIN public.users u ON u.branch_id = d.branch_id AND u.id = d.head_user_id
                 WHERE wanted.kind = 'complaint_office' AND d.branch_id = branch AND d.kind = 'complaint_office' AND u.active
                UNION ALL
                SELECT u.id FROM public.users u
                 WHERE wanted.kind = 'executives' AND u.branch_id = branch AND 'executive' = ANY (u.roles) AND u.active
                UNION ALL
                SELECT g.id FROM unnest(granted_executives) AS g (id) WHERE wanted.kind = 'executives'
                UNION ALL
                SELECT u.id FROM public.users u
                 WHERE wanted.kind = 'bots' AND with_bots AND u.branch_id = branch AND 'bot' = ANY (u.roles) AND u.active
                   AND (u.department_ids = '{}' OR department = ANY (u.department_ids))
              ) who
         ORDER BY who.user_id, wanted.kind;
END
$$;

-- The office joins a complaint in no department when the fired rung pages a department's head,
-- since its head is paged in that head's place.
CREATE OR REPLACE FUNCTION scheduler.join_complaint_office(branch uuid, complaint uuid, fired_tier integer) RETURNS boolean
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
               AND (step -> 'recipients' ? 'complaint_office'
                    OR c.department_id IS NULL AND step -> 'recipients' ? 'department_head')) THEN
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

-- A tier first lets `reroute_due` move what the rules would move, then routes a complaint nobody
-- routed by the rules' full match, as intake does (the channel,
-- level and product conditions, active departments, the most specific first among equals), and
-- only one such a match routes waits for it, as does one `reroute_due` would move (its claim
-- breaks ties by id as `reroute_due` looks, so that the two mostly agree). The rest is 0038's.
CREATE OR REPLACE FUNCTION scheduler.escalate_due(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, tier smallint, due_at timestamptz, late_seconds integer, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    routable uuid[];
    routed_ids uuid[] := '{}';
    complaint uuid;
    claimed_ids uuid[] := '{}';
    claimed_complaints uuid[] := '{}';
    claimed_tiers smallint[] := '{}';
    claimed_due timestamptz[] := '{}';
    claimed_late integer[] := '{}';
    claimed_departments uuid[] := '{}';
    claimed_policies uuid[] := '{}';
    wanted_escalations uuid[] := '{}';
    wanted_kinds text[] := '{}';
    wanted_users uuid[] := '{}';
    paged_escalations uuid[] := '{}';
    granted uuid[];
BEGIN
    -- First the due complaints the rules would move to another department (in this statement's
    -- transaction, without a round trip of its own).
    PERFORM scheduler.reroute_due(branch, batch, 'escalations');

    -- Then the due complaints nobody routed that a rule routes. Routing changes who sees a
    -- complaint, so its child rows follow it (`follow_case`, 0033), and not while a writer of them
    -- holds the case's lock: those wait for a later pass. The locks are taken here, on the
    -- coordinator, one complaint at a time.
    SELECT coalesce(array_agg(u.id), '{}') INTO routable
      FROM (SELECT c.id FROM public.complaints c
             WHERE c.branch_id = branch AND c.next_escalation_at <= now() AND c.department_id IS NULL
               AND EXISTS (SELECT FROM public.routing_rules r
                                  JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                                 WHERE r.branch_id = branch AND r.category_id = c.category_id
                                   AND (r.channel IS NULL OR r.channel = c.channel)
                                   AND (r.level IS NULL OR r.level = c.level)
                                   AND (r.product IS NULL OR lower(r.product) = lower(c.product)))
             ORDER BY c.next_escalation_at, c.id
             LIMIT batch
               FOR UPDATE SKIP LOCKED) u;
    FOREACH complaint IN ARRAY routable LOOP
        IF pg_try_advisory_xact_lock(public.case_lock_key(complaint)) THEN
            routed_ids := routed_ids || complaint;
        END IF;
    END LOOP;
    UPDATE public.complaints c
       SET department_id = (SELECT r.department_id FROM public.routing_rules r
                              JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                             WHERE r.branch_id = branch AND r.category_id = c.category_id
                               AND (r.channel IS NULL OR r.channel = c.channel)
                               AND (r.level IS NULL OR r.level = c.level)
                               AND (r.product IS NULL OR lower(r.product) = lower(c.product))
                             ORDER BY r.position,
                                      (r.channel IS NOT NULL)::int + (r.level IS NOT NULL)::int + (r.product IS NOT NULL)::int DESC,
                                      r.id::text
                             LIMIT 1),
           department_by_rule = true
     WHERE c.branch_id = branch AND c.id = ANY (routed_ids);
    FOREACH complaint IN ARRAY routed_ids LOOP
        PERFORM public.follow_case(branch, complaint);
    END LOOP;

    -- 1. The claim.
    WITH due AS (
        SELECT c.branch_id, c.id, c.department_id, c.category_id, c.sla_policy_id, c.escalation_due_at, c.escalated_tiers
          FROM public.complaints c
         WHERE c.branch_id = branch AND c.next_escalation_at <= now()
           -- One a rule would route waits until the step above has routed it.
           AND (c.department_id IS NOT NULL
                OR NOT EXISTS (SELECT FROM public.routing_rules r
                                          JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                                         WHERE r.branch_id = branch AND r.category_id = c.category_id
                                           AND (r.channel IS NULL OR r.channel = c.channel)
                                           AND (r.level IS NULL OR r.level = c.level)
                                           AND (r.product IS NULL OR lower(r.product) = lower(c.product))))
           -- Nor one the rules would move (`reroute_due` moves it first, or a later pass does).
           AND NOT (c.department_id IS NOT NULL
                    AND (c.department_by_rule AND c.responsible_user_id IS NULL
                         OR EXISTS (SELECT FROM public.departments d WHERE d.branch_id = branch AND d.id = c.department_id
                                                                       AND NOT d.active))
                    AND coalesce(c.department_id <> (
                            SELECT r.department_id FROM public.routing_rules r
                              JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                             WHERE r.branch_id = branch AND r.category_id = c.category_id
                               AND (r.channel IS NULL OR r.channel = c.channel)
                               AND (r.level IS NULL OR r.level = c.level)
                               AND (r.product IS NULL OR lower(r.product) = lower(c.product))
                             ORDER BY r.position,
                                      (r.channel IS NOT NULL)::int + (r.level IS NOT NULL)::int + (r.product IS NOT NULL)::int DESC,
                                      r.id::text
                             LIMIT 1), false))
         ORDER BY c.next_escalation_at, c.id
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), firing AS (
        SELECT d.branch_id, d.id AS complaint_id, d.sla_policy_id, t.tier::smallint AS tier, t.at AS due_at,
               (SELECT scheduler.ack_window(p.document) FROM public.sla_policies p
                 WHERE p.branch_id = branch AND p.id = d.sla_policy_id) AS ack_window
          FROM due d, unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
         WHERE t.at <= now() AND NOT (t.tier::smallint = ANY (d.escalated_tiers))
    ), routing AS (
        SELECT d.branch_id, d.id, d.id = ANY (routed_ids) AS routed_now,
               ARRAY(SELECT DISTINCT x FROM unnest(d.escalated_tiers || (
                   SELECT coalesce(array_agg(t.tier::smallint), '{}') FROM unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
                    WHERE t.at <= now())) x ORDER BY x) AS escalated_tiers,
               (SELECT t.tier::smallint FROM unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
                 WHERE t.at > now() AND NOT (t.tier::smallint = ANY (d.escalated_tiers)) ORDER BY t.at, t.tier LIMIT 1) AS next_tier
          FROM due d
    ), advanced AS (
        UPDATE public.complaints c
           SET escalated_tiers = ro.escalated_tiers,
               next_escalation_tier = ro.next_tier, next_escalation_at = c.escalation_due_at[ro.next_tier]
          FROM routing ro
         WHERE c.branch_id = branch AND c.id = ro.id
        RETURNING c.branch_id, c.id, c.department_id, c.collaborating_department_ids, c.responsible_user_id
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, due_at, late_seconds, department_id, routed,
                                        paged_tier, ack_due_at,
                                        case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT f.branch_id, f.complaint_id, f.tier, f.due_at, greatest(0, extract(epoch FROM now() - f.due_at))::integer,
               a.department_id, ro.routed_now,
               f.tier, now() + coalesce(f.ack_window, interval '15 minutes'),
               a.department_id, a.collaborating_department_ids, a.responsible_user_id
          FROM firing f
          JOIN advanced a ON a.branch_id = f.branch_id AND a.id = f.complaint_id
          JOIN routing ro ON ro.branch_id = f.branch_id AND ro.id = f.complaint_id
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.tier, escalations.due_at,
                  escalations.late_seconds, escalations.department_id, escalations.routed, escalations.case_department_id,
                  escalations.case_collaborating_department_ids, escalations.case_responsible_user_id
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id, 'escalated',
               jsonb_build_object('tier', r.tier::text, 'dueAt', to_json(r.due_at) #>> '{}', 'lateSeconds', r.late_seconds::text,
                                  'departmentId', r.department_id::text, 'routed', r.routed::text),
               r.case_department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
          FROM recorded r
    )
    SELECT coalesce(array_agg(r.id), '{}'),
           coalesce(array_agg(r.complaint_id), '{}'),
           coalesce(array_agg(r.tier), '{}'),
           coalesce(array_agg(r.due_at), '{}'),
           coalesce(array_agg(r.late_seconds), '{}'),
           coalesce(array_agg(r.department_id), '{}'),
           coalesce(array_agg(f.sla_policy_id), '{}')
      INTO claimed_ids, claimed_complaints, claimed_tiers, claimed_due, claimed_late, claimed_departments, claimed_policies
      FROM recorded r
      JOIN firing f ON f.branch_id = r.branch_id AND f.complaint_id = r.complaint_id AND f.tier = r.tier;
    IF cardinality(claimed_ids) = 0 THEN
        RETURN;
    END IF;

    -- 2. Who is paged.
    granted := scheduler.granted_executives(branch);
    SELECT coalesce(array_agg(e.id), '{}'), coalesce(array_agg(who.kind), '{}'), coalesce(array_agg(who.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM unnest(claimed_ids, claimed_policies, claimed_tiers, claimed_departments) AS e (id, policy, tier, department)
     CROSS JOIN LATERAL scheduler.ladder_recipients(branch, e.policy, e.tier, e.department, true, granted) who;

    -- 3 and 4. The pages, their deliveries and the notifications.
    paged_escalations := scheduler.page(branch, wanted_escalations, wanted_kinds, wanted_users);

    RETURN QUERY
        SELECT branch, e.complaint_id, e.tier, e.due_at, e.late_seconds, coalesce(pc.pages, 0)
          FROM unnest(claimed_ids, claimed_complaints, claimed_tiers, claimed_due, claimed_late)
               AS e (id, complaint_id, tier, due_at, late_seconds)
          LEFT JOIN (SELECT p.id, count(*)::integer AS pages FROM unnest(paged_escalations) AS p (id) GROUP BY p.id) pc ON pc.id = e.id;
END
$$;
