-- A complaint whose deadlines a change of SLA policy, calendar or time zone made stale (or a
-- milestone met by a delivered message, 0056) keeps its old deadlines until the scheduler has
-- recomputed them. Nothing fires on those: the claims of tiers and alarms, the rerouting that goes
-- with them, the list of branches with work due and the next due time all pass over a stale
-- complaint, which takes part again once recomputed (`sla_stale` false, its new deadlines stored).
-- So the scheduler no longer has to recompute every stale complaint before it claims anything: it
-- recomputes one batch per branch and pass beside the claims, and a calendar change in one large
-- branch no longer holds back every branch's escalations until the last of its complaints is
-- recomputed. The functions are 0053's, 0051's and 0067's with that one condition added.

-- Rerouting before a claim (0053).
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

-- Tiers (0053).
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
             WHERE c.branch_id = branch AND c.next_escalation_at <= now() AND NOT c.sla_stale AND c.department_id IS NULL
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
         WHERE c.branch_id = branch AND c.next_escalation_at <= now() AND NOT c.sla_stale
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

-- Alarms of milestones, plans and notices (0051).
CREATE OR REPLACE FUNCTION scheduler.raise_alarms(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, milestone text, plan_id uuid, reason text, tier smallint, due_at timestamptz,
                   late_seconds integer, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    claimed_ids uuid[] := '{}';
    claimed_complaints uuid[] := '{}';
    claimed_milestones text[] := '{}';
    claimed_plans uuid[] := '{}';
    claimed_reasons text[] := '{}';
    claimed_tiers smallint[] := '{}';
    claimed_due timestamptz[] := '{}';
    claimed_late integer[] := '{}';
    claimed_departments uuid[] := '{}';
    claimed_responsible uuid[] := '{}';
    claimed_policies uuid[] := '{}';
    wanted_escalations uuid[] := '{}';
    wanted_kinds text[] := '{}';
    wanted_users uuid[] := '{}';
    paged_escalations uuid[] := '{}';
    granted uuid[];
BEGIN
    -- 1. The claim.
    WITH due AS (
        SELECT c.branch_id, c.id, c.sla_policy_id, c.department_id, c.collaborating_department_ids, c.responsible_user_id,
               c.sla_alarm_keys, c.sla_alarm_due_at, c.sla_alarm_rungs, c.sla_alarms_raised
          FROM public.complaints c
         WHERE c.branch_id = branch AND c.next_alarm_at <= now() AND NOT c.sla_stale
           -- Not before the complaint's due tiers fired (the pass before this one fires them), so
           -- that those tiers' pages are there to be seen: nobody is paged twice for one moment.
           AND (c.next_escalation_at IS NULL OR c.next_escalation_at > now())
         ORDER BY c.next_alarm_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), pending AS (
        SELECT d.branch_id, d.id AS complaint_id, a.key, a.kind, a.at, a.rung,
               CASE WHEN a.kind IN ('warning', 'breach') THEN a.subject END AS milestone,
               CASE WHEN a.kind LIKE 'plan\_%' THEN a.subject::uuid END AS plan_id,
               d.sla_policy_id, d.department_id, d.collaborating_department_ids, d.responsible_user_id
          FROM due d, unnest(d.sla_alarm_keys, d.sla_alarm_due_at, d.sla_alarm_rungs) AS k (key, at, rung),
               LATERAL (SELECT k.key, k.at, k.rung, split_part(k.key, ':', 1) AS kind, split_part(k.key, ':', 2) AS subject) a
         WHERE NOT (a.key = ANY (d.sla_alarms_raised))
    ), raising AS (
        SELECT p.*, p.kind = 'warning' AND EXISTS (
                   SELECT FROM pending b WHERE b.complaint_id = p.complaint_id AND b.milestone = p.milestone AND b.kind = 'breach'
                      AND b.at <= now()) AS dropped
          FROM pending p
         WHERE p.at <= now()
    ), advanced AS (
        UPDATE public.complaints c
           SET sla_alarms_raised = c.sla_alarms_raised || ARRAY(SELECT r.key FROM raising r WHERE r.complaint_id = c.id ORDER BY r.key),
               next_alarm_at = (SELECT min(p.at) FROM pending p WHERE p.complaint_id = c.id AND p.at > now())
          FROM due d
         WHERE c.branch_id = branch AND c.id = d.id
        RETURNING c.branch_id, c.id
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, alarm_key, milestone, plan_id, reason, due_at, late_seconds,
                                        department_id, routed, paged_tier, ack_due_at,
                                        case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id, CASE WHEN r.kind = 'breach' THEN r.rung ELSE 0 END, r.key, r.milestone, r.plan_id,
               CASE WHEN r.milestone IS NULL THEN r.kind END, r.at,
               greatest(0, extract(epoch FROM now() - r.at))::integer, r.department_id, false,
               CASE WHEN r.kind = 'breach' THEN r.rung ELSE 0 END,
               CASE WHEN r.kind = 'breach' THEN now() + coalesce((SELECT scheduler.ack_window(p.document) FROM public.sla_policies p
                                                                  WHERE p.branch_id = branch AND p.id = r.sla_policy_id),
                                                                 interval '15 minutes') END,
               r.department_id, r.collaborating_department_ids, r.responsible_user_id
          FROM raising r
          JOIN advanced a ON a.branch_id = r.branch_id AND a.id = r.complaint_id
         WHERE NOT r.dropped
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.milestone, escalations.plan_id,
                  escalations.reason, escalations.tier, escalations.due_at, escalations.late_seconds, escalations.department_id,
                  escalations.case_department_id, escalations.case_collaborating_department_ids, escalations.case_responsible_user_id
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id,
               CASE WHEN r.reason IN ('department_routed', 'reopened') THEN 'head_notified'
                    WHEN r.reason IS NOT NULL THEN r.reason
                    WHEN r.tier = 0 THEN 'milestone_warning' ELSE 'milestone_breached' END,
               jsonb_strip_nulls(jsonb_build_object('milestone', r.milestone, 'planId', r.plan_id::text,
                                                    'reason', CASE WHEN r.reason IN ('department_routed', 'reopened') THEN r.reason END,
                                                    'tier', r.tier::text,
                                                    'dueAt', to_json(r.due_at) #>> '{}', 'lateSeconds', r.late_seconds::text,
                                                    'departmentId', r.department_id::text)),
               r.case_department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
          FROM recorded r
    )
    SELECT coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.complaint_id), '{}'), coalesce(array_agg(r.milestone), '{}'),
           coalesce(array_agg(r.plan_id), '{}'), coalesce(array_agg(r.reason), '{}'),
           coalesce(array_agg(r.tier), '{}'), coalesce(array_agg(r.due_at), '{}'), coalesce(array_agg(r.late_seconds), '{}'),
           coalesce(array_agg(r.department_id), '{}'), coalesce(array_agg(r.case_responsible_user_id), '{}'),
           coalesce(array_agg(d.sla_policy_id), '{}')
      INTO claimed_ids, claimed_complaints, claimed_milestones, claimed_plans, claimed_reasons, claimed_tiers, claimed_due,
           claimed_late, claimed_departments, claimed_responsible, claimed_policies
      FROM recorded r
      JOIN due d ON d.branch_id = r.branch_id AND d.id = r.complaint_id;
    IF cardinality(claimed_ids) = 0 THEN
        RETURN;
    END IF;

    -- 2. Who is paged: a breach's rung, a warning's responsible person, a plan's or a notice's level.
    granted := scheduler.granted_executives(branch);
    SELECT coalesce(array_agg(e.id), '{}'), coalesce(array_agg(who.kind), '{}'), coalesce(array_agg(who.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM unnest(claimed_ids, claimed_policies, claimed_tiers, claimed_departments, claimed_responsible, claimed_reasons)
           AS e (id, policy, tier, department, responsible, reason)
     CROSS JOIN LATERAL (SELECT l.kind, l.user_id FROM scheduler.ladder_recipients(branch, e.policy, e.tier, e.department, true, granted) l
                          WHERE e.tier > 0
                         UNION ALL
                         SELECT w.kind, w.user_id FROM scheduler.warning_recipients(branch, e.department, e.responsible) w
                          WHERE e.tier = 0 AND e.reason IS NULL
                         UNION ALL
                         SELECT p.kind, p.user_id
                           FROM scheduler.plan_recipients(branch, CASE e.reason WHEN 'plan_approval_overdue' THEN 2
                                                                                WHEN 'plan_leadership_approval' THEN 2
                                                                                WHEN 'statutory_result_overdue' THEN 2
                                                                                WHEN 'plan_leadership_approval_overdue' THEN 3 ELSE 1 END,
                                                          e.department, granted) p
                          WHERE e.reason IS NOT NULL) who;
    -- A breach or a notice pages nobody twice: not whoever holds a page of the complaint that
    -- nobody took yet, nor whoever another breach or notice of the complaint raised now pages. A
    -- plan's approval is not asked of its proposer.
    SELECT coalesce(array_agg(w.escalation_id), '{}'), coalesce(array_agg(w.kind), '{}'), coalesce(array_agg(w.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM (SELECT w.escalation_id, w.kind, w.user_id, e.complaint_id, e.tier, e.plan_id, e.reason,
                   row_number() OVER (PARTITION BY e.complaint_id, w.user_id, e.tier > 0 OR e.reason IN ('department_routed', 'reopened')
                                      ORDER BY e.tier = 0, e.tier, w.escalation_id) AS nth
              FROM unnest(wanted_escalations, wanted_kinds, wanted_users) AS w (escalation_id, kind, user_id)
              JOIN unnest(claimed_ids, claimed_complaints, claimed_tiers, claimed_plans, claimed_reasons)
                   AS e (id, complaint_id, tier, plan_id, reason) ON e.id = w.escalation_id) w
     WHERE CASE WHEN w.reason IN ('plan_approval', 'plan_leadership_approval')
                THEN NOT EXISTS (SELECT FROM public.complaint_plans p
                                  WHERE p.branch_id = branch AND p.id = w.plan_id AND p.proposed_by = w.user_id)
                WHEN w.tier = 0 AND w.reason IS DISTINCT FROM 'department_routed' AND w.reason IS DISTINCT FROM 'reopened' THEN true
                ELSE w.nth = 1 AND NOT EXISTS (
                         SELECT FROM public.pages p
                          WHERE p.branch_id = branch AND p.complaint_id = w.complaint_id AND p.recipient_user_id = w.user_id
                            AND p.acknowledged_at IS NULL AND p.handed_to IS NULL)
           END;

    -- 3. The pages, their deliveries and the notifications; a breach that paged nobody new waits for nobody.
    paged_escalations := scheduler.page(branch, wanted_escalations, wanted_kinds, wanted_users);
    UPDATE public.escalations e SET ack_due_at = NULL
     WHERE e.branch_id = branch AND e.id = ANY (claimed_ids) AND e.ack_due_at IS NOT NULL AND NOT e.id = ANY (paged_escalations);

    RETURN QUERY
        SELECT branch, e.complaint_id, e.milestone, e.plan_id, e.reason, e.tier, e.due_at, e.late_seconds, coalesce(pc.pages, 0)
          FROM unnest(claimed_ids, claimed_complaints, claimed_milestones, claimed_plans, claimed_reasons, claimed_tiers, claimed_due,
                      claimed_late)
               AS e (id, complaint_id, milestone, plan_id, reason, tier, due_at, late_seconds)
          LEFT JOIN (SELECT p.id, count(*)::integer AS pages FROM unnest(paged_escalations) AS p (id) GROUP BY p.id) pc ON pc.id = e.id;
END
$$;

-- The branches with work due (0051).
CREATE OR REPLACE FUNCTION scheduler.due_branches(work text, batch integer) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    CASE work
    WHEN 'escalations' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT c.branch_id, c.next_escalation_at AS due FROM public.complaints c
             WHERE c.next_escalation_at <= now() AND NOT c.sla_stale ORDER BY c.next_escalation_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    WHEN 'alarms' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT c.branch_id, c.next_alarm_at AS due FROM public.complaints c
             WHERE c.next_alarm_at <= now() AND NOT c.sla_stale ORDER BY c.next_alarm_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    WHEN 'repages' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT e.branch_id, e.ack_due_at AS due FROM public.escalations e
             WHERE e.ack_due_at <= now() ORDER BY e.ack_due_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    WHEN 'follow_ups' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT f.branch_id, f.due_at AS due FROM public.follow_ups f
             WHERE f.status = 'due' AND f.escalated_at IS NULL AND f.due_at <= now() ORDER BY f.due_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    WHEN 'deliveries' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT d.branch_id, d.next_attempt_at AS due FROM public.page_deliveries d
             WHERE d.state = 'pending' AND d.next_attempt_at <= now() ORDER BY d.next_attempt_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    END CASE;
END
$$;

-- The earliest time the scheduler has work (0067), which it sleeps until: a stale complaint has none
-- until it is recomputed (the change that marked it wakes the scheduler through `redress_deadlines`,
-- and a pass that recomputed anything is followed by the next at once).
CREATE OR REPLACE FUNCTION scheduler.next_due() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT least((SELECT min(next_escalation_at) FROM public.complaints WHERE next_escalation_at IS NOT NULL AND NOT sla_stale),
                 (SELECT min(next_alarm_at) FROM public.complaints WHERE next_alarm_at IS NOT NULL AND NOT sla_stale),
                 (SELECT min(ack_due_at) FROM public.escalations WHERE ack_due_at IS NOT NULL),
                 (SELECT min(due_at) FROM public.follow_ups WHERE status = 'due' AND escalated_at IS NULL),
                 (SELECT min(requested_at) FROM public.complaint_reviews WHERE status = 'requested' AND told_at IS NULL),
                 (SELECT min(due_at) FROM public.complaint_reviews WHERE status = 'requested' AND escalated_at IS NULL),
                 (SELECT min(due_at) FROM public.rectification_tasks WHERE status = 'open' AND escalated_at IS NULL),
                 (SELECT min(reply_due_at) FROM public.institutional_referrals WHERE replied_at IS NULL AND escalated_at IS NULL))
$$;

-- How far behind the scheduler fleet is, for readiness and `redress_scheduler_lag_seconds` (0018):
-- a stale complaint whose old deadline has passed counts as work due since then, so a backlog of
-- recomputation, or a complaint that cannot be recomputed, shows as lag where nothing fires.
-- (Two statements: on Citus a statement over a distributed table calls no function that reads one.)
CREATE OR REPLACE FUNCTION public.next_scheduled_work() RETURNS timestamptz
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    due timestamptz := scheduler.next_due();
    stale timestamptz;
BEGIN
    SELECT min(least(c.next_escalation_at, c.next_alarm_at)) INTO stale FROM public.complaints c WHERE c.sla_stale;
    RETURN least(due, stale);
END
$$;
