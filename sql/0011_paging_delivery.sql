-- Acknowledgement windows, re-paging, escalations on the timeline, and webhook delivery of pages.
--
-- Every escalation waits for an acknowledgement: when none of its pages is acknowledged within the
-- policy's ack window (`ackWindowMinutes`, default 15), `scheduler.repage_due` pages the next rung
-- of the ladder (people only), once per rung, and notes it on the complaint's timeline. A later
-- tier of the same complaint supersedes an earlier tier's re-paging.
--
-- Pages reach people and bots through the API (list, server-sent events) and through webhooks: an
-- active webhook of the recipient gets a delivery row in the outbox when the page is enqueued, in
-- the same transaction. The delivery service claims due deliveries with a lease, posts them, and
-- records every attempt; a delivery is retried with backoff until it succeeds or is dead-lettered.

-- Who rung `rung` of a policy's ladder pages for a complaint of `department`: each recipient kind
-- is looked up on its own (a department's head, the branch's managers, the complaint office's
-- head, executives of or granted the branch, the branch's bots). Bots subscribed to departments
-- (their `department_ids`) receive only those departments' pages; a bot with no departments
-- receives its whole branch's. Plain SQL without settings, so the planner inlines it.
CREATE FUNCTION scheduler.ladder_recipients(branch uuid, policy uuid, rung integer, department uuid, with_bots boolean)
    RETURNS TABLE (kind text, user_id uuid)
    LANGUAGE sql STABLE
    AS $$
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
             WHERE wanted.kind = 'executives' AND 'executive' = ANY (u.roles) AND u.active
               AND (u.branch_id = branch OR EXISTS (SELECT FROM public.hq_grants g
                    WHERE g.branch_id = u.branch_id AND g.user_id = u.id AND g.granted_branch_id = branch))
            UNION ALL
            SELECT u.id FROM public.users u
             WHERE wanted.kind = 'bots' AND with_bots AND u.branch_id = branch AND 'bot' = ANY (u.roles) AND u.active
               AND (u.department_ids = '{}' OR department = ANY (u.department_ids))
          ) who
     ORDER BY who.user_id, wanted.kind
$$;

-- What a page says without customer personal data.
CREATE FUNCTION scheduler.page_summary(c public.complaints, tier smallint, due_at timestamptz, late_seconds integer, department uuid)
    RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object('caseNumber', c.case_number, 'tier', tier, 'dueAt', due_at, 'lateSeconds', late_seconds,
                              'status', c.status, 'priority', c.priority, 'level', c.level, 'nature', c.nature,
                              'categoryId', c.category_id, 'departmentId', department, 'receivedAt', c.received_at)
$$;

-- A policy document's acknowledgement window (default 15 minutes).
CREATE FUNCTION scheduler.ack_window(document jsonb) RETURNS interval
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT make_interval(mins => coalesce((document ->> 'ackWindowMinutes')::integer, 15)) $$;

ALTER TABLE escalations
    ADD COLUMN paged_tier smallint,
    ADD COLUMN ack_due_at timestamptz;
UPDATE escalations SET paged_tier = tier;
CREATE INDEX escalations_ack_due ON escalations (ack_due_at) WHERE ack_due_at IS NOT NULL;
COMMENT ON COLUMN escalations.paged_tier IS 'the ladder rung paged last (the tier itself, or a later rung after re-paging)';
COMMENT ON COLUMN escalations.ack_due_at IS 'when the rung paged last must have acknowledged; null once acknowledged or nobody is left';

-- The ladder rung whose recipients a page went to: the escalation's tier, or a later rung when re-paged.
ALTER TABLE pages ADD COLUMN rung smallint;
UPDATE pages SET rung = tier;
ALTER TABLE pages ALTER COLUMN rung SET NOT NULL;

CREATE OR REPLACE FUNCTION scheduler.escalate_due(batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, tier smallint, due_at timestamptz, late_seconds integer,
                   pages integer)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    WITH due AS (
        SELECT c.branch_id, c.id, c.department_id, c.category_id, c.sla_policy_id, c.escalation_due_at, c.escalated_tiers
          FROM public.complaints c
         WHERE c.next_escalation_at <= now()
         ORDER BY c.next_escalation_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), firing AS (
        SELECT d.branch_id, d.id AS complaint_id, d.sla_policy_id, t.tier::smallint AS tier, t.at AS due_at,
               (SELECT scheduler.ack_window(p.document) FROM public.sla_policies p
                 WHERE p.branch_id = d.branch_id AND p.id = d.sla_policy_id) AS ack_window
          FROM due d, unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
         WHERE t.at <= now() AND NOT (t.tier::smallint = ANY (d.escalated_tiers))
    ), routing AS (
        SELECT d.branch_id, d.id,
               coalesce(d.department_id, (SELECT r.department_id FROM public.routing_rules r
                                           WHERE r.branch_id = d.branch_id AND r.category_id = d.category_id
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
         WHERE c.branch_id = ro.branch_id AND c.id = ro.id
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
          JOIN public.complaints c ON c.branch_id = r.branch_id AND c.id = r.complaint_id
         CROSS JOIN LATERAL scheduler.ladder_recipients(r.branch_id, c.sla_policy_id, r.tier, r.department_id, true) who
        RETURNING pages.escalation_id
    ), paged_count AS (
        SELECT pg.escalation_id, count(*)::integer AS pages FROM paged pg GROUP BY pg.escalation_id
    )
    SELECT r.branch_id, r.complaint_id, r.tier, r.due_at, r.late_seconds, coalesce(pc.pages, 0)
      FROM recorded r
      LEFT JOIN paged_count pc ON pc.escalation_id = r.id
$$;

-- Re-pages every escalation of up to `batch` whose ack window passed unacknowledged: the next rung of
-- the ladder (people only) is paged, the window starts again, and the timeline says who was paged.
-- An escalation superseded by a later tier, or at the ladder's last rung, stops waiting (returned
-- with a null rung).
CREATE FUNCTION scheduler.repage_due(batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, tier smallint, rung smallint, pages integer)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    WITH due AS (
        SELECT e.branch_id, e.id, e.complaint_id, e.tier, e.paged_tier, e.due_at, e.late_seconds, e.department_id, c.sla_policy_id,
               EXISTS (SELECT FROM public.escalations h
                        WHERE h.branch_id = e.branch_id AND h.complaint_id = e.complaint_id AND h.tier > e.tier) AS superseded
          FROM public.escalations e
          JOIN public.complaints c ON c.branch_id = e.branch_id AND c.id = e.complaint_id
         WHERE e.ack_due_at <= now()
         ORDER BY e.ack_due_at
         LIMIT batch
           FOR UPDATE OF e SKIP LOCKED
    ), stepped AS (
        SELECT d.*,
               CASE WHEN NOT d.superseded THEN
                   (SELECT min((step ->> 'tier')::integer)::smallint
                      FROM public.sla_policies p, jsonb_array_elements(p.document -> 'ladder') AS step
                     WHERE p.branch_id = d.branch_id AND p.id = d.sla_policy_id AND (step ->> 'tier')::integer > d.paged_tier)
               END AS rung,
               (SELECT scheduler.ack_window(p.document) FROM public.sla_policies p
                 WHERE p.branch_id = d.branch_id AND p.id = d.sla_policy_id) AS ack_window
          FROM due d
    ), advanced AS (
        UPDATE public.escalations e
           SET paged_tier = coalesce(s.rung, e.paged_tier),
               ack_due_at = CASE WHEN s.rung IS NOT NULL THEN now() + coalesce(s.ack_window, interval '15 minutes') END
          FROM stepped s
         WHERE e.branch_id = s.branch_id AND e.id = s.id
        RETURNING e.branch_id, e.id
    ), paged AS (
        INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary)
        SELECT s.branch_id, s.id, s.complaint_id, s.tier, s.rung, who.kind, who.user_id, true,
               scheduler.page_summary(c, s.tier, s.due_at, s.late_seconds, s.department_id) || jsonb_build_object('repagedRung', s.rung)
          FROM stepped s
          JOIN public.complaints c ON c.branch_id = s.branch_id AND c.id = s.complaint_id
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
      LEFT JOIN paged_per_escalation pp ON pp.branch_id = s.branch_id AND pp.escalation_id = s.id
$$;

-- The earliest time the scheduler has work: a tier falling due or an ack window ending.
CREATE OR REPLACE FUNCTION scheduler.next_due() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    SELECT least((SELECT min(next_escalation_at) FROM public.complaints WHERE next_escalation_at IS NOT NULL),
                 (SELECT min(ack_due_at) FROM public.escalations WHERE ack_due_at IS NOT NULL))
$$;

-- Every escalation is on its complaint's timeline (event values are text, like every other event's).
CREATE FUNCTION scheduler.note_escalations() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public
    AS $$
BEGIN
    INSERT INTO complaint_events (branch_id, complaint_id, kind, after)
    SELECT e.branch_id, e.complaint_id, 'escalated',
           jsonb_build_object('tier', e.tier::text, 'dueAt', to_json(e.due_at) #>> '{}', 'lateSeconds', e.late_seconds::text,
                              'departmentId', e.department_id::text, 'routed', e.routed::text)
      FROM recorded_escalations e;
    RETURN NULL;
END
$$;
CREATE TRIGGER escalations_noted AFTER INSERT ON escalations REFERENCING NEW TABLE AS recorded_escalations
    FOR EACH STATEMENT EXECUTE FUNCTION scheduler.note_escalations();

-- An acknowledged page ends its escalation's wait (the recipient may not update escalations itself).
CREATE FUNCTION scheduler.stop_repaging() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
BEGIN
    UPDATE escalations SET ack_due_at = NULL
     WHERE branch_id = NEW.branch_id AND id = NEW.escalation_id AND ack_due_at IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER pages_acknowledged AFTER UPDATE OF acknowledged_at ON pages FOR EACH ROW
    WHEN (OLD.acknowledged_at IS NULL AND NEW.acknowledged_at IS NOT NULL)
    EXECUTE FUNCTION scheduler.stop_repaging();

-- Webhooks: where a recipient's pages are posted. The signing secret is written by the service
-- but readable only by the delivery functions.
CREATE TABLE webhooks (
    branch_id   uuid NOT NULL REFERENCES branches (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL,
    url         text NOT NULL CHECK (url ~ '^https?://[^\s]+$' AND length(url) <= 2000),
    secret      text NOT NULL CHECK (length(secret) >= 32),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, user_id) REFERENCES users (branch_id, id)
);
CREATE INDEX webhooks_user ON webhooks (branch_id, user_id) WHERE active;

-- The outbox: one row per page and webhook, pending until delivered or dead-lettered.
CREATE TABLE page_deliveries (
    branch_id        uuid NOT NULL,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    page_id          uuid NOT NULL,
    webhook_id       uuid NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, page_id, webhook_id),
    FOREIGN KEY (branch_id, page_id) REFERENCES pages (branch_id, id),
    FOREIGN KEY (branch_id, webhook_id) REFERENCES webhooks (branch_id, id),
    CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL))
);
CREATE INDEX page_deliveries_due ON page_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX page_deliveries_webhook ON page_deliveries (branch_id, webhook_id, created_at DESC);

-- Every attempt: when, how long, the HTTP status or the error.
CREATE TABLE delivery_attempts (
    branch_id     uuid NOT NULL,
    delivery_id   uuid NOT NULL,
    attempt       integer NOT NULL CHECK (attempt >= 1),
    started_at    timestamptz NOT NULL,
    duration_ms   integer NOT NULL,
    status_code   integer,
    error         text CHECK (length(error) <= 2000),
    PRIMARY KEY (branch_id, delivery_id, attempt),
    FOREIGN KEY (branch_id, delivery_id) REFERENCES page_deliveries (branch_id, id)
);

ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhooks FORCE ROW LEVEL SECURITY;
ALTER TABLE page_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE page_deliveries FORCE ROW LEVEL SECURITY;
ALTER TABLE delivery_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY platform ON webhooks TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON page_deliveries TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON delivery_attempts TO redress_platform USING (true) WITH CHECK (true);
-- A branch's admins manage its webhooks and see how deliveries went.
CREATE POLICY administered ON webhooks FOR ALL TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY administered ON page_deliveries FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY administered ON delivery_attempts FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
GRANT SELECT (branch_id, id, user_id, url, active, created_at, updated_at) ON webhooks TO redress_service;
GRANT INSERT (branch_id, user_id, url, secret), UPDATE (url, secret, active, updated_at) ON webhooks TO redress_service;
GRANT SELECT ON page_deliveries, delivery_attempts TO redress_service;

-- New pages: an outbox row for each active webhook of the recipient, and a notification for the
-- recipient's event streams and for the delivery service.
CREATE FUNCTION scheduler.enqueue_deliveries() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public
    AS $$
BEGIN
    INSERT INTO page_deliveries (branch_id, page_id, webhook_id)
    SELECT p.branch_id, p.id, w.id
      FROM new_pages p
      JOIN webhooks w ON w.branch_id = p.branch_id AND w.user_id = p.recipient_user_id AND w.active;
    IF FOUND THEN
        PERFORM pg_notify('redress_deliveries', '');
    END IF;
    PERFORM pg_notify('redress_pages', r.user_id::text) FROM (SELECT DISTINCT recipient_user_id AS user_id FROM new_pages) r;
    RETURN NULL;
END
$$;
CREATE TRIGGER pages_enqueued AFTER INSERT ON pages REFERENCING NEW TABLE AS new_pages
    FOR EACH STATEMENT EXECUTE FUNCTION scheduler.enqueue_deliveries();

-- Claims up to `batch` due deliveries for `lease_seconds`: a claimer that dies before recording
-- its attempt leaves the delivery to be claimed again when the lease ends (at least once; the
-- delivery id lets receivers drop repeats).
CREATE FUNCTION scheduler.claim_deliveries(batch integer, lease_seconds integer)
    RETURNS TABLE (branch_id uuid, id uuid, attempt integer, url text, secret text, body jsonb)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    WITH due AS (
        SELECT d.branch_id, d.id
          FROM public.page_deliveries d
         WHERE d.state = 'pending' AND d.next_attempt_at <= now()
         ORDER BY d.next_attempt_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE public.page_deliveries d
           SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => lease_seconds)
          FROM due
         WHERE d.branch_id = due.branch_id AND d.id = due.id
        RETURNING d.branch_id, d.id, d.attempts, d.page_id, d.webhook_id
    )
    SELECT c.branch_id, c.id, c.attempts, w.url, w.secret,
           jsonb_build_object('deliveryId', c.id, 'page', jsonb_build_object(
               'id', p.id, 'complaintId', p.complaint_id, 'tier', p.tier, 'rung', p.rung, 'recipientKind', p.recipient_kind,
               'recipientUserId', p.recipient_user_id, 'late', p.late, 'summary', p.summary, 'createdAt', p.created_at))
      FROM claimed c
      JOIN public.webhooks w ON w.branch_id = c.branch_id AND w.id = c.webhook_id
      JOIN public.pages p ON p.branch_id = c.branch_id AND p.id = c.page_id
$$;

-- Records one attempt of a claimed delivery: delivered on a 2xx status, otherwise retried at
-- `retry_at`, or dead-lettered when `retry_at` is null. An attempt whose lease was taken over by
-- another claimer (its number is no longer the latest) is recorded but changes nothing.
CREATE FUNCTION scheduler.record_delivery(branch uuid, delivery uuid, attempt_number integer, started timestamptz,
                                          duration_ms integer, status_code integer, error text, retry_at timestamptz)
    RETURNS text
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
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
        RETURNING d.state
    )
    SELECT coalesce((SELECT state FROM settled), 'superseded')
$$;

-- The earliest pending delivery, for the delivery service's sleep.
CREATE FUNCTION scheduler.next_delivery() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$ SELECT min(next_attempt_at) FROM public.page_deliveries WHERE state = 'pending' $$;

-- A changed policy or calendar marks the branch's open complaints stale; the scheduler recomputes
-- their deadlines (in Swift, like every other change) and clears the mark.
ALTER TABLE complaints ADD COLUMN sla_stale boolean NOT NULL DEFAULT false;
CREATE INDEX complaints_sla_stale ON complaints (branch_id) WHERE sla_stale;

CREATE FUNCTION scheduler.mark_sla_stale() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    branch uuid;
BEGIN
    IF TG_TABLE_NAME = 'branches' THEN
        branch := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        branch := OLD.branch_id;
    ELSE
        branch := NEW.branch_id;
    END IF;
    UPDATE complaints SET sla_stale = true
     WHERE branch_id = branch AND status NOT IN ('closed', 'archived') AND NOT sla_stale;
    PERFORM pg_notify('redress_deadlines', 'sla:' || branch::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER sla_policies_changed AFTER INSERT OR UPDATE OR DELETE ON sla_policies
    FOR EACH ROW EXECUTE FUNCTION scheduler.mark_sla_stale();
CREATE TRIGGER branch_calendars_changed AFTER UPDATE ON branch_calendars
    FOR EACH ROW EXECUTE FUNCTION scheduler.mark_sla_stale();
CREATE TRIGGER branches_time_zone_changed AFTER UPDATE OF time_zone ON branches
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION scheduler.mark_sla_stale();

-- Branches with complaints whose deadlines wait for recomputation.
CREATE FUNCTION scheduler.stale_branches() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$ SELECT DISTINCT branch_id FROM public.complaints WHERE sla_stale $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA scheduler FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.escalate_due(integer), scheduler.repage_due(integer), scheduler.next_due(),
    scheduler.claim_deliveries(integer, integer),
    scheduler.record_delivery(uuid, uuid, integer, timestamptz, integer, integer, text, timestamptz),
    scheduler.next_delivery(), scheduler.stale_branches() TO redress_service;
