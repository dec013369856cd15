-- The scheduler's claims in steps that Citus can each run where they belong (docs/scaling.md):
-- 1. the claim, one statement on the branch's rows that a router query sends whole to the worker
--    holding the branch: it locks what is due, records the escalations and their timeline
--    entries, and calls no function that reads a table (on a shard such a function's query
--    would be a distributed query from a query on a shard, which Citus refuses);
-- 2. who is paged, on the coordinator, in a statement that reads no table itself:
--    `ladder_recipients` for each escalation, with the executives of other branches granted the
--    branch read beforehand (`granted_executives`), so that no step reads beyond its branch;
-- 3. the pages, their webhook deliveries (and a re-page's timeline entry), in one statement on
--    the branch's rows again;
-- 4. the notifications, in statements that read no table, on the coordinator, where the page
--    streams and the deliverer listen.
-- The rows written and the results returned are those of 0028.

-- The executives of other branches who hold an executive's grant on `branch`, active and still
-- executives.
CREATE FUNCTION scheduler.granted_executives(branch uuid) RETURNS uuid[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    RETURN ARRAY(SELECT DISTINCT u.id
                   FROM public.hq_grants g
                   JOIN public.users u ON u.branch_id = g.branch_id AND u.id = g.user_id
                  WHERE g.granted_branch_id = granted_executives.branch AND g.branch_id <> granted_executives.branch
                    AND g.role = 'executive' AND 'executive' = ANY (u.roles) AND u.active
                  ORDER BY u.id);
END
$$;
REVOKE ALL ON FUNCTION scheduler.granted_executives(uuid) FROM PUBLIC;

DROP FUNCTION scheduler.ladder_recipients(uuid, uuid, integer, uuid, boolean);
CREATE FUNCTION scheduler.ladder_recipients(branch uuid, policy uuid, rung integer, department uuid, with_bots boolean,
                                            granted_executives uuid[])
 RETURNS TABLE(kind text, user_id uuid)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET jit TO off
AS $function$
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
                 WHERE wanted.kind = 'department_head' AND d.branch_id = branch AND d.id = department AND u.active
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
$function$;
REVOKE ALL ON FUNCTION scheduler.ladder_recipients(uuid, uuid, integer, uuid, boolean, uuid[]) FROM PUBLIC;

-- Steps 3 and 4 of a claim that escalates (`escalate_due`, `escalate_follow_ups`): pages each
-- escalation's recipients (`escalations`, `kinds` and `users` side by side), with its webhook
-- deliveries, and sends the notifications; returns the escalation of every page written.
CREATE FUNCTION scheduler.page(branch uuid, escalations uuid[], kinds text[], users uuid[]) RETURNS uuid[]
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    paged_escalations uuid[] := '{}';
    recipients uuid[] := '{}';
    delivering boolean := false;
BEGIN
    WITH wanted AS (
        SELECT * FROM unnest(escalations, kinds, users) AS w (escalation_id, kind, user_id)
    ), paged AS (
        INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary,
                                  case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT e.branch_id, e.id, e.complaint_id, e.tier, e.tier, w.kind, w.user_id, e.late_seconds > 60,
               jsonb_build_object('caseNumber', c.case_number, 'tier', e.tier, 'dueAt', public.rfc3339(e.due_at),
                                     'lateSeconds', e.late_seconds, 'status', c.status, 'priority', c.priority, 'level', c.level,
                                     'nature', c.nature, 'categoryId', c.category_id, 'departmentId', e.department_id,
                                     'receivedAt', public.rfc3339(c.received_at))
                   || CASE WHEN e.follow_up_id IS NOT NULL
                           THEN jsonb_build_object('reason', 'follow_up_overdue', 'followUpId', e.follow_up_id) ELSE '{}' END,
               e.case_department_id, e.case_collaborating_department_ids, e.case_responsible_user_id
          FROM wanted w
          JOIN public.escalations e ON e.branch_id = branch AND e.id = w.escalation_id
          JOIN public.complaints c ON c.branch_id = branch AND c.id = e.complaint_id
        RETURNING pages.escalation_id, pages.id, pages.recipient_user_id
    ), delivered AS (
        INSERT INTO public.page_deliveries (branch_id, page_id, webhook_id)
        SELECT branch, pg.id, w.id
          FROM paged pg
          JOIN public.webhooks w ON w.branch_id = branch AND w.user_id = pg.recipient_user_id AND w.active
        RETURNING page_deliveries.page_id
    )
    SELECT coalesce(array_agg(pg.escalation_id), '{}'), coalesce(array_agg(DISTINCT pg.recipient_user_id), '{}'),
           EXISTS (SELECT FROM delivered)
      INTO paged_escalations, recipients, delivering
      FROM paged pg;

    -- 4. Wakes the page streams of the people paged and the webhook deliverer, at commit.
    PERFORM pg_notify('redress_pages', x.recipient::text) FROM unnest(recipients) AS x (recipient);
    IF delivering THEN
        PERFORM pg_notify('redress_deliveries', '');
    END IF;
    RETURN paged_escalations;
END
$$;
REVOKE ALL ON FUNCTION scheduler.page(uuid, uuid[], text[], uuid[]) FROM PUBLIC;

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
    -- First the due complaints nobody routed that a rule routes. Routing changes who sees a
    -- complaint, so its child rows follow it (`follow_case`, 0033), and not while a writer of them
    -- holds the case's lock: those wait for a later pass. The locks are taken here, on the
    -- coordinator, one complaint at a time.
    SELECT coalesce(array_agg(u.id), '{}') INTO routable
      FROM (SELECT c.id FROM public.complaints c
             WHERE c.branch_id = branch AND c.next_escalation_at <= now() AND c.department_id IS NULL
               AND EXISTS (SELECT FROM public.routing_rules r WHERE r.branch_id = branch AND r.category_id = c.category_id)
             ORDER BY c.next_escalation_at
             LIMIT batch
               FOR UPDATE SKIP LOCKED) u;
    FOREACH complaint IN ARRAY routable LOOP
        IF pg_try_advisory_xact_lock(public.case_lock_key(complaint)) THEN
            routed_ids := routed_ids || complaint;
        END IF;
    END LOOP;
    UPDATE public.complaints c
       SET department_id = (SELECT r.department_id FROM public.routing_rules r
                             WHERE r.branch_id = branch AND r.category_id = c.category_id
                             ORDER BY r.position, r.id LIMIT 1)
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
                OR NOT EXISTS (SELECT FROM public.routing_rules r WHERE r.branch_id = branch AND r.category_id = c.category_id))
         ORDER BY c.next_escalation_at
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

CREATE OR REPLACE FUNCTION scheduler.repage_due(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, tier smallint, rung smallint, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    claimed_ids uuid[] := '{}';
    claimed_complaints uuid[] := '{}';
    claimed_tiers smallint[] := '{}';
    claimed_rungs smallint[] := '{}';
    claimed_departments uuid[] := '{}';
    claimed_policies uuid[] := '{}';
    wanted_escalations uuid[] := '{}';
    wanted_kinds text[] := '{}';
    wanted_users uuid[] := '{}';
    paged_escalations uuid[] := '{}';
    recipients uuid[] := '{}';
    delivering boolean := false;
    granted uuid[];
BEGIN
    -- 1. The claim: the escalations whose acknowledgement window ran out, each stepped to the next
    -- rung of its ladder.
    WITH due AS (
        SELECT e.branch_id, e.id, e.complaint_id, e.tier, e.paged_tier, e.department_id, c.sla_policy_id,
               EXISTS (SELECT FROM public.escalations h
                        WHERE h.branch_id = branch AND h.complaint_id = e.complaint_id AND h.tier > e.tier) AS superseded
          FROM public.escalations e
          JOIN public.complaints c ON c.branch_id = branch AND c.id = e.complaint_id
         WHERE e.branch_id = branch AND e.ack_due_at <= now()
         ORDER BY e.ack_due_at
         LIMIT batch
           FOR UPDATE OF e SKIP LOCKED
           -- Its complaint too, shared, so that the visibility copied in step 3 is current: a
           -- complaint whose department is changing is passed over until the next pass (0033).
           FOR SHARE OF c SKIP LOCKED
    ), stepped AS (
        SELECT d.*,
               CASE WHEN NOT d.superseded THEN
                   (SELECT min((step ->> 'tier')::integer)::smallint
                      FROM public.sla_policies p, jsonb_array_elements(p.document -> 'ladder') AS step
                     WHERE p.branch_id = branch AND p.id = d.sla_policy_id AND (step ->> 'tier')::integer > d.paged_tier)
               END AS rung,
               (SELECT scheduler.ack_window(p.document) FROM public.sla_policies p
                 WHERE p.branch_id = branch AND p.id = d.sla_policy_id) AS ack_window
          FROM due d
    ), advanced AS (
        UPDATE public.escalations e
           SET paged_tier = coalesce(s.rung, e.paged_tier),
               ack_due_at = CASE WHEN s.rung IS NOT NULL THEN now() + coalesce(s.ack_window, interval '15 minutes') END
          FROM stepped s
         WHERE e.branch_id = branch AND e.id = s.id
        RETURNING e.branch_id, e.id
    )
    SELECT coalesce(array_agg(s.id), '{}'),
           coalesce(array_agg(s.complaint_id), '{}'),
           coalesce(array_agg(s.tier), '{}'),
           coalesce(array_agg(s.rung), '{}'),
           coalesce(array_agg(s.department_id), '{}'),
           coalesce(array_agg(s.sla_policy_id), '{}')
      INTO claimed_ids, claimed_complaints, claimed_tiers, claimed_rungs, claimed_departments, claimed_policies
      FROM stepped s
      JOIN advanced a ON a.branch_id = s.branch_id AND a.id = s.id;
    IF cardinality(claimed_ids) = 0 THEN
        RETURN;
    END IF;

    -- 2. Who is paged at each next rung (no bots on a re-page).
    granted := scheduler.granted_executives(branch);
    SELECT coalesce(array_agg(e.id), '{}'), coalesce(array_agg(who.kind), '{}'), coalesce(array_agg(who.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM (SELECT * FROM unnest(claimed_ids, claimed_policies, claimed_rungs, claimed_departments) AS s (id, policy, rung, department)
             WHERE s.rung IS NOT NULL) e
     CROSS JOIN LATERAL scheduler.ladder_recipients(branch, e.policy, e.rung, e.department, false, granted) who;

    -- 3. The pages, their deliveries, and a timeline entry for each escalation stepped to a rung.
    WITH wanted AS (
        SELECT * FROM unnest(wanted_escalations, wanted_kinds, wanted_users) AS w (escalation_id, kind, user_id)
    ), stepped AS (
        SELECT * FROM unnest(claimed_ids, claimed_complaints, claimed_tiers, claimed_rungs) AS s (id, complaint_id, tier, rung)
         WHERE s.rung IS NOT NULL
    ), paged AS (
        INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary,
                                  case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT e.branch_id, e.id, e.complaint_id, e.tier, s.rung, w.kind, w.user_id, true,
               jsonb_build_object('caseNumber', c.case_number, 'tier', e.tier, 'dueAt', public.rfc3339(e.due_at),
                                     'lateSeconds', e.late_seconds, 'status', c.status, 'priority', c.priority, 'level', c.level,
                                     'nature', c.nature, 'categoryId', c.category_id, 'departmentId', e.department_id,
                                     'receivedAt', public.rfc3339(c.received_at)) || jsonb_build_object('repagedRung', s.rung),
               c.department_id, c.collaborating_department_ids, c.responsible_user_id
          FROM wanted w
          JOIN stepped s ON s.id = w.escalation_id
          JOIN public.escalations e ON e.branch_id = branch AND e.id = w.escalation_id
          JOIN public.complaints c ON c.branch_id = branch AND c.id = e.complaint_id
        ON CONFLICT ON CONSTRAINT pages_branch_id_escalation_id_recipient_user_id_key DO NOTHING
        RETURNING pages.branch_id, pages.id, pages.escalation_id, pages.recipient_user_id
    ), delivered AS (
        INSERT INTO public.page_deliveries (branch_id, page_id, webhook_id)
        SELECT branch, pg.id, w.id
          FROM paged pg
          JOIN public.webhooks w ON w.branch_id = branch AND w.user_id = pg.recipient_user_id AND w.active
        RETURNING page_deliveries.page_id
    ), paged_per_escalation AS (
        SELECT pg.escalation_id, string_agg(pg.recipient_user_id::text, ',' ORDER BY pg.recipient_user_id) AS recipients
          FROM paged pg GROUP BY pg.escalation_id
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT branch, s.complaint_id, 'repaged',
               jsonb_build_object('tier', s.tier::text, 'rung', s.rung::text, 'recipientUserIds', coalesce(pp.recipients, '')),
               c.department_id, c.collaborating_department_ids, c.responsible_user_id
          FROM stepped s
          JOIN public.complaints c ON c.branch_id = branch AND c.id = s.complaint_id
          LEFT JOIN paged_per_escalation pp ON pp.escalation_id = s.id
    )
    SELECT coalesce(array_agg(pg.escalation_id), '{}'), coalesce(array_agg(DISTINCT pg.recipient_user_id), '{}'),
           EXISTS (SELECT FROM delivered)
      INTO paged_escalations, recipients, delivering
      FROM paged pg;

    -- 4. Wakes the page streams of the people paged and the webhook deliverer, at commit.
    PERFORM pg_notify('redress_pages', x.recipient::text) FROM unnest(recipients) AS x (recipient);
    IF delivering THEN
        PERFORM pg_notify('redress_deliveries', '');
    END IF;

    RETURN QUERY
        SELECT branch, s.complaint_id, s.tier, s.rung, coalesce(pc.pages, 0)
          FROM unnest(claimed_ids, claimed_complaints, claimed_tiers, claimed_rungs) AS s (id, complaint_id, tier, rung)
          LEFT JOIN (SELECT p.id, count(*)::integer AS pages FROM unnest(paged_escalations) AS p (id) GROUP BY p.id) pc ON pc.id = s.id;
END
$$;

CREATE OR REPLACE FUNCTION scheduler.escalate_follow_ups(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, follow_up_id uuid, late_seconds integer, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    claimed_ids uuid[] := '{}';
    claimed_complaints uuid[] := '{}';
    claimed_follow_ups uuid[] := '{}';
    claimed_tiers smallint[] := '{}';
    claimed_late integer[] := '{}';
    claimed_departments uuid[] := '{}';
    claimed_policies uuid[] := '{}';
    wanted_escalations uuid[] := '{}';
    wanted_kinds text[] := '{}';
    wanted_users uuid[] := '{}';
    paged_escalations uuid[] := '{}';
    granted uuid[];
BEGIN
    -- 1. The claim: the overdue follow-ups, each escalated once, with its timeline entry.
    WITH due AS (
        SELECT f.branch_id, f.id, f.complaint_id, f.due_at, c.sla_policy_id,
               c.department_id AS case_department_id, c.collaborating_department_ids AS case_collaborating_department_ids,
               c.responsible_user_id AS case_responsible_user_id
          FROM public.follow_ups f
          JOIN public.complaints c ON c.branch_id = branch AND c.id = f.complaint_id
         WHERE f.branch_id = branch AND f.status = 'due' AND f.escalated_at IS NULL AND f.due_at <= now()
         ORDER BY f.due_at
         LIMIT batch
           FOR UPDATE OF f SKIP LOCKED
           -- Its complaint too, shared, so that the visibility copied below is current (0033).
           FOR SHARE OF c SKIP LOCKED
    ), marked AS (
        UPDATE public.follow_ups f SET escalated_at = now()
          FROM due d
         WHERE f.branch_id = branch AND f.id = d.id
        RETURNING f.branch_id, f.id
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, due_at, late_seconds, department_id, routed, paged_tier,
                                        ack_due_at, follow_up_id,
                                        case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT d.branch_id, d.complaint_id, 1, d.due_at, greatest(0, extract(epoch FROM now() - d.due_at))::integer,
               d.case_department_id, false, 1, NULL, d.id,
               d.case_department_id, d.case_collaborating_department_ids, d.case_responsible_user_id
          FROM due d
          JOIN marked m ON m.branch_id = d.branch_id AND m.id = d.id
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.tier, escalations.due_at,
                  escalations.late_seconds, escalations.department_id, escalations.follow_up_id, escalations.routed,
                  escalations.case_department_id, escalations.case_collaborating_department_ids, escalations.case_responsible_user_id
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id, 'escalated',
               jsonb_build_object('tier', r.tier::text, 'dueAt', to_json(r.due_at) #>> '{}', 'lateSeconds', r.late_seconds::text,
                                  'departmentId', r.department_id::text, 'routed', r.routed::text) || jsonb_build_object('followUpId', r.follow_up_id::text),
               r.case_department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
          FROM recorded r
    )
    SELECT coalesce(array_agg(r.id), '{}'),
           coalesce(array_agg(r.complaint_id), '{}'),
           coalesce(array_agg(r.follow_up_id), '{}'),
           coalesce(array_agg(r.tier), '{}'),
           coalesce(array_agg(r.late_seconds), '{}'),
           coalesce(array_agg(r.department_id), '{}'),
           coalesce(array_agg(d.sla_policy_id), '{}')
      INTO claimed_ids, claimed_complaints, claimed_follow_ups, claimed_tiers, claimed_late, claimed_departments, claimed_policies
      FROM recorded r
      JOIN due d ON d.branch_id = r.branch_id AND d.id = r.follow_up_id;
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
        SELECT branch, e.complaint_id, e.follow_up_id, e.late_seconds, coalesce(pc.pages, 0)
          FROM unnest(claimed_ids, claimed_complaints, claimed_follow_ups, claimed_late) AS e (id, complaint_id, follow_up_id, late_seconds)
          LEFT JOIN (SELECT p.id, count(*)::integer AS pages FROM unnest(paged_escalations) AS p (id) GROUP BY p.id) pc ON pc.id = e.id;
END
$$;

-- The pages' summaries are built in the statement that pages, from the escalation and its
-- complaint: a function over the `complaints` row type could not be sent to the workers.
DROP FUNCTION scheduler.page_summary(public.complaints, smallint, timestamptz, integer, uuid);
