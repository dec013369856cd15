-- Paging a person must acknowledge.
--
-- A page is *delivered* when a bot or a person's device received it (`delivered_at`: a webhook
-- answered 2xx, or the recipient said so) and *acknowledged* when a person took it
-- (`acknowledged_at`, `acknowledged_by`): themselves, or through a bot that relays their answer
-- naming them (`acknowledged_via`), which proves they were paged for the same escalation by
-- holding a page of it. Only an acknowledgement ends an escalation's wait (the trigger of 0041,
-- unchanged); a bot's own acknowledgement is a delivery receipt. Re-pages reach the rung's bots as
-- well as its people: one page per recipient and rung. While the wait runs, a person paged for it
-- may snooze it once, to at most the policy's ack window from now.

ALTER TABLE public.pages
    ADD COLUMN delivered_at timestamptz,
    ADD COLUMN acknowledged_by uuid,
    ADD COLUMN acknowledged_via uuid,
    ADD COLUMN relayed_for uuid,
    ADD COLUMN snoozed_until timestamptz,
    ADD CONSTRAINT pages_acknowledged_by_someone CHECK (acknowledged_via IS NULL OR acknowledged_by IS NOT NULL) NOT VALID;
UPDATE public.pages p
   SET delivered_at = p.acknowledged_at,
       acknowledged_by = CASE WHEN NOT u.is_bot THEN p.recipient_user_id END
  FROM public.users u
 WHERE p.acknowledged_at IS NOT NULL AND u.branch_id = p.branch_id AND u.id = p.recipient_user_id;
GRANT UPDATE (delivered_at, acknowledged_by, relayed_for, snoozed_until) ON public.pages TO redress_service;

-- One page per recipient and rung (a bot paged at tier 1 is paged again at the next rung). The
-- constraint keeps its name, which the scheduler's functions name in ON CONFLICT.
ALTER TABLE public.pages DROP CONSTRAINT pages_branch_id_escalation_id_recipient_user_id_key;
ALTER TABLE public.pages ADD CONSTRAINT pages_branch_id_escalation_id_recipient_user_id_key
    UNIQUE (branch_id, escalation_id, recipient_user_id, rung);

-- A bot relays a person's acknowledgement by naming them on its own page (`relayed_for`): the
-- person's page of the same escalation is acknowledged by them, via the bot. Only a bot relays,
-- only for a person, and only for one who holds a page of that escalation; relaying for someone
-- who already acknowledged changes nothing.
CREATE FUNCTION scheduler.acknowledge_relayed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    branch uuid := NEW.branch_id;
BEGIN
    IF NOT EXISTS (SELECT FROM public.users u WHERE u.branch_id = branch AND u.id = NEW.recipient_user_id AND u.is_bot) THEN
        RAISE EXCEPTION 'only a bot relays an acknowledgement' USING ERRCODE = 'insufficient_privilege', TABLE = 'pages';
    END IF;
    IF NOT EXISTS (SELECT FROM public.pages p
                     JOIN public.users u ON u.branch_id = p.branch_id AND u.id = p.recipient_user_id AND NOT u.is_bot
                    WHERE p.branch_id = branch AND p.escalation_id = NEW.escalation_id AND p.recipient_user_id = NEW.relayed_for) THEN
        RAISE EXCEPTION 'nobody by that id was paged for this escalation'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'pages_relayed_for_a_recipient', TABLE = 'pages';
    END IF;
    UPDATE public.pages p
       SET acknowledged_at = now(), acknowledged_by = NEW.relayed_for, acknowledged_via = NEW.recipient_user_id,
           delivered_at = coalesce(p.delivered_at, now())
     WHERE p.branch_id = branch AND p.escalation_id = NEW.escalation_id AND p.recipient_user_id = NEW.relayed_for
       AND p.acknowledged_at IS NULL;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION scheduler.acknowledge_relayed() FROM PUBLIC;
CREATE TRIGGER pages_relayed AFTER UPDATE OF relayed_for ON public.pages FOR EACH ROW
    WHEN (OLD.relayed_for IS NULL AND NEW.relayed_for IS NOT NULL)
    EXECUTE FUNCTION scheduler.acknowledge_relayed();

-- A snoozed page moves its escalation's re-page to `snoozed_until`, which may lie at most the
-- policy's ack window ahead, and only while the escalation still waits.
CREATE FUNCTION scheduler.snooze_escalation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    branch uuid := NEW.branch_id;
    ack_window interval;
    moved integer;
BEGIN
    SELECT scheduler.ack_window(p.document) INTO ack_window
      FROM public.complaints c JOIN public.sla_policies p ON p.branch_id = c.branch_id AND p.id = c.sla_policy_id
     WHERE c.branch_id = branch AND c.id = NEW.complaint_id;
    IF NEW.snoozed_until > now() + coalesce(ack_window, interval '15 minutes') THEN
        RAISE EXCEPTION 'a snooze lasts at most the ack window of %', coalesce(ack_window, interval '15 minutes')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'pages_snooze_within_the_ack_window', TABLE = 'pages';
    END IF;
    UPDATE public.escalations e SET ack_due_at = greatest(e.ack_due_at, NEW.snoozed_until)
     WHERE e.branch_id = branch AND e.id = NEW.escalation_id AND e.ack_due_at > now();
    GET DIAGNOSTICS moved = ROW_COUNT;
    IF moved = 0 THEN
        RAISE EXCEPTION 'the escalation no longer waits for an acknowledgement'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'pages_snooze_while_waiting', TABLE = 'pages';
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION scheduler.snooze_escalation() FROM PUBLIC;
CREATE TRIGGER pages_snoozed AFTER UPDATE OF snoozed_until ON public.pages FOR EACH ROW
    WHEN (OLD.snoozed_until IS NULL AND NEW.snoozed_until IS NOT NULL)
    EXECUTE FUNCTION scheduler.snooze_escalation();

-- A webhook that answered 2xx delivered its page.
CREATE OR REPLACE FUNCTION scheduler.record_delivery(branch uuid, delivery uuid, attempt_number integer, started timestamp with time zone, duration_ms integer, status_code integer, error text, retry_at timestamp with time zone)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
#variable_conflict use_column
DECLARE
    outcome text;
BEGIN
    WITH attempt AS (
        INSERT INTO public.delivery_attempts (branch_id, delivery_id, attempt, started_at, duration_ms, status_code, error)
        VALUES (branch, delivery, attempt_number, started, duration_ms, status_code, left(error, 2000))
        ON CONFLICT DO NOTHING
    ), settled AS (
        UPDATE public.page_deliveries d
           SET state = CASE WHEN status_code BETWEEN 200 AND 299 THEN 'delivered' WHEN retry_at IS NULL THEN 'dead' ELSE 'pending' END,
               next_attempt_at = CASE WHEN status_code BETWEEN 200 AND 299 THEN NULL ELSE retry_at END,
               last_error = CASE WHEN status_code BETWEEN 200 AND 299 THEN NULL
                                 ELSE left(coalesce(error, 'HTTP ' || status_code), 2000) END,
               finished_at = CASE WHEN status_code BETWEEN 200 AND 299 OR retry_at IS NULL THEN now() END
         WHERE d.branch_id = branch AND d.id = delivery AND d.state = 'pending' AND d.attempts = attempt_number
        RETURNING d.state, d.page_id
    ), received AS (
        UPDATE public.pages p SET delivered_at = now()
          FROM settled s
         WHERE p.branch_id = branch AND p.id = s.page_id AND s.state = 'delivered' AND p.delivered_at IS NULL
    )
    SELECT coalesce((SELECT state FROM settled), 'superseded') INTO outcome;
    RETURN outcome;
END
$function$;

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

    -- 2. Who is paged at each next rung (bots too: only a person's acknowledgement ends the wait).
    granted := scheduler.granted_executives(branch);
    SELECT coalesce(array_agg(e.id), '{}'), coalesce(array_agg(who.kind), '{}'), coalesce(array_agg(who.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM (SELECT * FROM unnest(claimed_ids, claimed_policies, claimed_rungs, claimed_departments) AS s (id, policy, rung, department)
             WHERE s.rung IS NOT NULL) e
     CROSS JOIN LATERAL scheduler.ladder_recipients(branch, e.policy, e.rung, e.department, true, granted) who;

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
