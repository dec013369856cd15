-- The scheduler claims work one branch at a time. Citus runs FOR UPDATE ... SKIP LOCKED only as a
-- router query, one shard named by its distribution column (docs/scaling.md), so each claim takes
-- the branch it works in, filters every table it reads by it, and is PL/pgSQL (Citus cannot plan
-- parameterised SQL-language functions that query its tables). The scheduler first lists the
-- branches of the work due longest, earliest first, without locking anything
-- (`scheduler.due_branches`, `retention.due_branches`), then claims in each until its batch is full.
-- The timeline entries retention writes carry their complaint's visibility, whose columns 0033 adds.

DROP FUNCTION scheduler.escalate_due(integer);
DROP FUNCTION scheduler.repage_due(integer);
DROP FUNCTION scheduler.escalate_follow_ups(integer);
DROP FUNCTION scheduler.claim_deliveries(integer, integer);
DROP FUNCTION retention.apply(interval, interval, boolean, integer);

-- Each claim's queue, per branch.
CREATE INDEX complaints_next_escalation_per_branch ON complaints (branch_id, next_escalation_at)
    WHERE next_escalation_at IS NOT NULL;
CREATE INDEX escalations_ack_due_per_branch ON escalations (branch_id, ack_due_at) WHERE ack_due_at IS NOT NULL;
CREATE INDEX page_deliveries_due_per_branch ON page_deliveries (branch_id, next_attempt_at) WHERE state = 'pending';

-- Branches with work of one kind due now among the `batch` items due longest, the one waiting
-- longest first: read through the queue's index, so a pass costs what its batch costs however
-- much is due.
CREATE FUNCTION scheduler.due_branches(work text, batch integer) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    CASE work
    WHEN 'escalations' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT c.branch_id, c.next_escalation_at AS due FROM public.complaints c
             WHERE c.next_escalation_at <= now() ORDER BY c.next_escalation_at LIMIT batch) q
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

CREATE FUNCTION scheduler.escalate_due(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, tier smallint, due_at timestamptz, late_seconds integer, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT c.branch_id, c.id, c.department_id, c.category_id, c.sla_policy_id, c.escalation_due_at, c.escalated_tiers
          FROM public.complaints c
         WHERE c.branch_id = branch AND c.next_escalation_at <= now()
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
        SELECT d.branch_id, d.id,
               coalesce(d.department_id, (SELECT r.department_id FROM public.routing_rules r
                                           WHERE r.branch_id = branch AND r.category_id = d.category_id
                                           ORDER BY r.position, r.id LIMIT 1)) AS department_id,
               d.department_id IS NULL AS unrouted,
               ARRAY(SELECT DISTINCT x FROM unnest(d.escalated_tiers || (
                   SELECT coalesce(array_agg(t.tier::smallint), '{}') FROM unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
                    WHERE t.at <= now())) x ORDER BY x) AS escalated_tiers,
               (SELECT t.tier::smallint FROM unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
                 WHERE t.at > now() AND NOT (t.tier::smallint = ANY (d.escalated_tiers)) ORDER BY t.at, t.tier LIMIT 1) AS next_tier
          FROM due d
    ), advanced AS (
        UPDATE public.complaints c
           SET department_id = ro.department_id, escalated_tiers = ro.escalated_tiers,
               next_escalation_tier = ro.next_tier, next_escalation_at = c.escalation_due_at[ro.next_tier]
          FROM routing ro
         WHERE c.branch_id = branch AND c.id = ro.id
        RETURNING c.branch_id, c.id, c.department_id
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, due_at, late_seconds, department_id, routed,
                                        paged_tier, ack_due_at)
        SELECT f.branch_id, f.complaint_id, f.tier, f.due_at, greatest(0, extract(epoch FROM now() - f.due_at))::integer,
               a.department_id, ro.unrouted AND a.department_id IS NOT NULL,
               f.tier, now() + coalesce(f.ack_window, interval '15 minutes')
          FROM firing f
          JOIN advanced a ON a.branch_id = f.branch_id AND a.id = f.complaint_id
          JOIN routing ro ON ro.branch_id = f.branch_id AND ro.id = f.complaint_id
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.tier, escalations.due_at,
                  escalations.late_seconds, escalations.department_id
    ), paged AS (
        INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary)
        SELECT r.branch_id, r.id, r.complaint_id, r.tier, r.tier, who.kind, who.user_id, r.late_seconds > 60,
               scheduler.page_summary(c, r.tier, r.due_at, r.late_seconds, r.department_id)
          FROM recorded r
          JOIN public.complaints c ON c.branch_id = branch AND c.id = r.complaint_id
         CROSS JOIN LATERAL scheduler.ladder_recipients(r.branch_id, c.sla_policy_id, r.tier, r.department_id, true) who
        RETURNING pages.escalation_id
    ), paged_count AS (
        SELECT pg.escalation_id, count(*)::integer AS pages FROM paged pg GROUP BY pg.escalation_id
    )
    SELECT r.branch_id, r.complaint_id, r.tier, r.due_at, r.late_seconds, coalesce(pc.pages, 0)
      FROM recorded r
      LEFT JOIN paged_count pc ON pc.escalation_id = r.id;
END
$$;

CREATE FUNCTION scheduler.repage_due(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, tier smallint, rung smallint, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT e.branch_id, e.id, e.complaint_id, e.tier, e.paged_tier, e.due_at, e.late_seconds, e.department_id, c.sla_policy_id,
               EXISTS (SELECT FROM public.escalations h
                        WHERE h.branch_id = branch AND h.complaint_id = e.complaint_id AND h.tier > e.tier) AS superseded
          FROM public.escalations e
          JOIN public.complaints c ON c.branch_id = branch AND c.id = e.complaint_id
         WHERE e.branch_id = branch AND e.ack_due_at <= now()
         ORDER BY e.ack_due_at
         LIMIT batch
           FOR UPDATE OF e SKIP LOCKED
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
    ), paged AS (
        INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary)
        SELECT s.branch_id, s.id, s.complaint_id, s.tier, s.rung, who.kind, who.user_id, true,
               scheduler.page_summary(c, s.tier, s.due_at, s.late_seconds, s.department_id) || jsonb_build_object('repagedRung', s.rung)
          FROM stepped s
          JOIN public.complaints c ON c.branch_id = branch AND c.id = s.complaint_id
         CROSS JOIN LATERAL scheduler.ladder_recipients(s.branch_id, s.sla_policy_id, s.rung, s.department_id, false) who
         WHERE s.rung IS NOT NULL
        ON CONFLICT ON CONSTRAINT pages_branch_id_escalation_id_recipient_user_id_key DO NOTHING
        RETURNING pages.branch_id, pages.escalation_id, pages.recipient_user_id, pages.recipient_kind
    ), paged_per_escalation AS (
        SELECT pg.branch_id, pg.escalation_id, count(*)::integer AS pages,
               string_agg(pg.recipient_user_id::text, ',' ORDER BY pg.recipient_user_id) AS recipients
          FROM paged pg GROUP BY pg.branch_id, pg.escalation_id
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after)
        SELECT s.branch_id, s.complaint_id, 'repaged',
               jsonb_build_object('tier', s.tier::text, 'rung', s.rung::text, 'recipientUserIds', coalesce(pp.recipients, ''))
          FROM stepped s
          LEFT JOIN paged_per_escalation pp ON pp.branch_id = s.branch_id AND pp.escalation_id = s.id
         WHERE s.rung IS NOT NULL
    )
    SELECT s.branch_id, s.complaint_id, s.tier, s.rung, coalesce(pp.pages, 0)
      FROM stepped s
      JOIN advanced a ON a.branch_id = s.branch_id AND a.id = s.id
      LEFT JOIN paged_per_escalation pp ON pp.branch_id = s.branch_id AND pp.escalation_id = s.id;
END
$$;

CREATE FUNCTION scheduler.escalate_follow_ups(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, follow_up_id uuid, late_seconds integer, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT f.branch_id, f.id, f.complaint_id, f.due_at
          FROM public.follow_ups f
         WHERE f.branch_id = branch AND f.status = 'due' AND f.escalated_at IS NULL AND f.due_at <= now()
         ORDER BY f.due_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), marked AS (
        UPDATE public.follow_ups f SET escalated_at = now()
          FROM due d
         WHERE f.branch_id = branch AND f.id = d.id
        RETURNING f.branch_id, f.id
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, due_at, late_seconds, department_id, routed, paged_tier,
                                        ack_due_at, follow_up_id)
        SELECT d.branch_id, d.complaint_id, 1, d.due_at, greatest(0, extract(epoch FROM now() - d.due_at))::integer,
               c.department_id, false, 1, NULL, d.id
          FROM due d
          JOIN marked m ON m.branch_id = d.branch_id AND m.id = d.id
          JOIN public.complaints c ON c.branch_id = branch AND c.id = d.complaint_id
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.tier, escalations.due_at,
                  escalations.late_seconds, escalations.department_id, escalations.follow_up_id
    ), paged AS (
        INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary)
        SELECT r.branch_id, r.id, r.complaint_id, r.tier, r.tier, who.kind, who.user_id, r.late_seconds > 60,
               scheduler.page_summary(c, r.tier, r.due_at, r.late_seconds, r.department_id)
                   || jsonb_build_object('reason', 'follow_up_overdue', 'followUpId', r.follow_up_id)
          FROM recorded r
          JOIN public.complaints c ON c.branch_id = branch AND c.id = r.complaint_id
         CROSS JOIN LATERAL scheduler.ladder_recipients(r.branch_id, c.sla_policy_id, r.tier, r.department_id, true) who
        RETURNING pages.escalation_id
    ), paged_count AS (
        SELECT pg.escalation_id, count(*)::integer AS pages FROM paged pg GROUP BY pg.escalation_id
    )
    SELECT r.branch_id, r.complaint_id, r.follow_up_id, r.late_seconds, coalesce(pc.pages, 0)
      FROM recorded r
      LEFT JOIN paged_count pc ON pc.escalation_id = r.id;
END
$$;

CREATE FUNCTION scheduler.claim_deliveries(branch uuid, batch integer, lease_seconds integer)
    RETURNS TABLE (branch_id uuid, id uuid, attempt integer, url text, secret text, body jsonb)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT d.branch_id, d.id
          FROM public.page_deliveries d
         WHERE d.branch_id = branch AND d.state = 'pending' AND d.next_attempt_at <= now()
         ORDER BY d.next_attempt_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE public.page_deliveries d
           SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => lease_seconds)
          FROM due
         WHERE d.branch_id = branch AND d.id = due.id
        RETURNING d.branch_id, d.id, d.attempts, d.page_id, d.webhook_id
    )
    SELECT c.branch_id, c.id, c.attempts, w.url, w.secret,
           jsonb_build_object('deliveryId', c.id, 'page', jsonb_build_object(
               'id', p.id, 'complaintId', p.complaint_id, 'tier', p.tier, 'rung', p.rung, 'recipientKind', p.recipient_kind,
               'recipientUserId', p.recipient_user_id, 'late', p.late, 'summary', p.summary,
               'createdAt', public.rfc3339(p.created_at)))
      FROM claimed c
      JOIN public.webhooks w ON w.branch_id = branch AND w.id = c.webhook_id
      JOIN public.pages p ON p.branch_id = branch AND p.id = c.page_id;
END
$$;

-- Branches with closed complaints to archive or erase, the longest closed first.
CREATE FUNCTION retention.due_branches(archive_after interval, erase_after interval) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    IF archive_after < interval '1 day' OR erase_after < interval '365 days' THEN
        RAISE EXCEPTION 'archive after at least a day, erase after at least a year' USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
    SELECT c.branch_id FROM public.complaints c
     WHERE c.status IN ('closed', 'archived') AND c.closed_at IS NOT NULL
       AND ((c.status = 'closed' AND c.closed_at < now() - archive_after)
            OR (c.closed_at < now() - erase_after AND c.erased_at IS NULL))
     GROUP BY c.branch_id ORDER BY min(c.closed_at);
END
$$;

CREATE FUNCTION retention.apply(branch uuid, archive_after interval, erase_after interval, dry_run boolean, batch integer DEFAULT 1000)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, case_number text, action text, closed_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    due_branches uuid[];
    due_ids uuid[];
    due_cases text[];
    due_actions text[];
    due_closed timestamptz[];
    i integer;
BEGIN
    IF archive_after < interval '1 day' OR erase_after < interval '365 days' THEN
        RAISE EXCEPTION 'archive after at least a day, erase after at least a year' USING ERRCODE = '22023';
    END IF;
    SELECT coalesce(array_agg(d.branch_id ORDER BY d.closed_at, d.id), '{}'), coalesce(array_agg(d.id ORDER BY d.closed_at, d.id), '{}'),
           coalesce(array_agg(d.case_number ORDER BY d.closed_at, d.id), '{}'),
           coalesce(array_agg(d.action ORDER BY d.closed_at, d.id), '{}'),
           coalesce(array_agg(d.closed_at ORDER BY d.closed_at, d.id), '{}')
      INTO due_branches, due_ids, due_cases, due_actions, due_closed
      FROM (SELECT c.branch_id, c.id, c.case_number, c.closed_at,
                   CASE WHEN c.closed_at < now() - erase_after AND c.erased_at IS NULL THEN 'erase' ELSE 'archive' END AS action
              FROM public.complaints c
             WHERE c.branch_id = branch AND c.status IN ('closed', 'archived') AND c.closed_at IS NOT NULL
               AND ((c.status = 'closed' AND c.closed_at < now() - archive_after
                     AND NOT EXISTS (SELECT FROM public.follow_ups f
                                      WHERE f.branch_id = branch AND f.complaint_id = c.id AND f.status = 'due'))
                    OR (c.closed_at < now() - erase_after AND c.erased_at IS NULL))
             ORDER BY c.closed_at
             LIMIT batch
               FOR UPDATE SKIP LOCKED) d;
    IF NOT dry_run THEN
        UPDATE public.complaints c SET status = 'archived', updated_at = now()
          FROM unnest(due_branches, due_ids) AS d (branch_id, id)
         WHERE c.branch_id = branch AND c.id = d.id AND c.status <> 'archived';
        FOR i IN 1 .. coalesce(array_length(due_ids, 1), 0) LOOP
            IF due_actions[i] = 'erase' THEN
                PERFORM retention.erase_complaint(due_branches[i], due_ids[i]);
            END IF;
        END LOOP;
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT d.branch_id, d.id, CASE d.action WHEN 'erase' THEN 'erased' ELSE 'archived' END, jsonb_build_object('reason', 'retention'),
               c.department_id, c.collaborating_department_ids, c.responsible_user_id
          FROM unnest(due_branches, due_ids, due_actions) AS d (branch_id, id, action)
          JOIN public.complaints c ON c.branch_id = branch AND c.id = d.id;
    END IF;
    RETURN QUERY SELECT d.branch_id, d.id, d.case_number, d.action, d.closed_at
                   FROM unnest(due_branches, due_ids, due_cases, due_actions, due_closed) AS d (branch_id, id, case_number, action, closed_at);
END
$$;

REVOKE ALL ON FUNCTION scheduler.due_branches(text, integer), scheduler.escalate_due(uuid, integer), scheduler.repage_due(uuid, integer),
                       scheduler.escalate_follow_ups(uuid, integer), scheduler.claim_deliveries(uuid, integer, integer),
                       retention.due_branches(interval, interval), retention.apply(uuid, interval, interval, boolean, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.due_branches(text, integer), scheduler.escalate_due(uuid, integer), scheduler.repage_due(uuid, integer),
                          scheduler.escalate_follow_ups(uuid, integer), scheduler.claim_deliveries(uuid, integer, integer),
                          retention.due_branches(interval, interval), retention.apply(uuid, interval, interval, boolean, integer)
    TO redress_scheduler;
