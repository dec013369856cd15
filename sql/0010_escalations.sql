-- Escalations and pages.
--
-- An escalation records that tier N of a complaint fired: at most once per (branch, complaint,
-- tier), guaranteed by the unique key, so a crash mid-batch or several schedulers at once cannot
-- record it twice. Each escalation enqueues pages (an outbox) for the recipients its policy's
-- ladder names. `scheduler.escalate_due` claims due complaints with FOR UPDATE SKIP LOCKED and
-- records, routes, advances and enqueues in one statement; it runs as the owner because the
-- scheduler works for every branch, and it is the only way the service role reaches that work.

-- The due time of each tier, by tier number (tier 1 at index 1), kept by the service.
ALTER TABLE complaints ADD COLUMN escalation_due_at timestamptz[] NOT NULL DEFAULT '{}';

CREATE TABLE escalations (
    branch_id      uuid NOT NULL,
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id   uuid NOT NULL,
    tier           smallint NOT NULL CHECK (tier >= 1),
    due_at         timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    late_seconds   integer NOT NULL,
    department_id  uuid,
    routed         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, complaint_id, tier),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id)
);
CREATE INDEX escalations_recorded ON escalations (branch_id, recorded_at DESC);

CREATE TABLE pages (
    branch_id          uuid NOT NULL,
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    escalation_id      uuid NOT NULL,
    complaint_id       uuid NOT NULL,
    tier               smallint NOT NULL,
    recipient_kind     text NOT NULL CHECK (recipient_kind IN ('department_head', 'branch_manager', 'complaint_office',
                           'executives', 'bots')),
    recipient_user_id  uuid NOT NULL,
    late               boolean NOT NULL,
    -- What the recipient may know without seeing the complaint: no customer personal data.
    summary            jsonb NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    acknowledged_at    timestamptz,
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, escalation_id, recipient_user_id),
    FOREIGN KEY (branch_id, escalation_id) REFERENCES escalations (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id)
);
CREATE INDEX pages_recipient ON pages (recipient_user_id, created_at) WHERE acknowledged_at IS NULL;

ALTER TABLE escalations ENABLE ROW LEVEL SECURITY;
ALTER TABLE escalations FORCE ROW LEVEL SECURITY;
ALTER TABLE pages ENABLE ROW LEVEL SECURITY;
ALTER TABLE pages FORCE ROW LEVEL SECURITY;
CREATE POLICY platform ON escalations TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON pages TO redress_platform USING (true) WITH CHECK (true);
-- An escalation is visible exactly when its complaint is; a page to its recipient and to whoever
-- sees the complaint.
CREATE POLICY visible ON escalations FOR SELECT TO redress_service
    USING (EXISTS (SELECT FROM complaints c WHERE c.branch_id = escalations.branch_id AND c.id = escalations.complaint_id));
CREATE POLICY visible ON pages FOR SELECT TO redress_service
    USING (recipient_user_id = (SELECT scope.user_id())
           OR EXISTS (SELECT FROM complaints c WHERE c.branch_id = pages.branch_id AND c.id = pages.complaint_id));
-- Only the recipient acknowledges a page.
CREATE POLICY acknowledged ON pages FOR UPDATE TO redress_service
    USING (recipient_user_id = (SELECT scope.user_id()) AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))
    WITH CHECK (recipient_user_id = (SELECT scope.user_id()));
GRANT SELECT ON escalations, pages TO redress_service;
GRANT UPDATE (acknowledged_at) ON pages TO redress_service;

CREATE SCHEMA scheduler;
GRANT USAGE ON SCHEMA scheduler TO redress_service;

-- Fires every due tier of up to `batch` due complaints: records each escalation once with its true
-- due time and how late it is, routes a complaint that has no department by its branch's rules,
-- advances the complaint to its next tier, and enqueues a page for every recipient the ladder
-- names. Returns what it recorded.
CREATE FUNCTION scheduler.escalate_due(batch integer)
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
        SELECT d.branch_id, d.id AS complaint_id, t.tier::smallint AS tier, t.at AS due_at
          FROM due d, unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
         WHERE t.at <= now() AND NOT (t.tier::smallint = ANY (d.escalated_tiers))
    ), routing AS (
        SELECT d.branch_id, d.id,
               coalesce(d.department_id, (SELECT r.department_id FROM public.routing_rules r
                                           WHERE r.branch_id = d.branch_id AND r.category_id = d.category_id
                                           ORDER BY r.position, r.id LIMIT 1)) AS department_id,
               d.department_id IS NULL AS unrouted
          FROM due d
    ), advanced AS (
        UPDATE public.complaints c
           SET department_id = ro.department_id,
               escalated_tiers = ARRAY(SELECT DISTINCT x FROM unnest(c.escalated_tiers || coalesce(
                   (SELECT array_agg(f.tier) FROM firing f WHERE f.branch_id = c.branch_id AND f.complaint_id = c.id), '{}')) x ORDER BY x),
               next_escalation_tier = nxt.tier, next_escalation_at = nxt.at
          FROM routing ro
          LEFT JOIN LATERAL (
              SELECT t.tier::smallint AS tier, t.at
                FROM public.complaints cc, unnest(cc.escalation_due_at) WITH ORDINALITY AS t (at, tier)
               WHERE cc.branch_id = ro.branch_id AND cc.id = ro.id AND t.at > now()
                 AND NOT (t.tier::smallint = ANY (cc.escalated_tiers))
               ORDER BY t.at, t.tier LIMIT 1
          ) nxt ON true
         WHERE c.branch_id = ro.branch_id AND c.id = ro.id
        RETURNING c.branch_id, c.id, c.department_id
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, due_at, late_seconds, department_id, routed)
        SELECT f.branch_id, f.complaint_id, f.tier, f.due_at, greatest(0, extract(epoch FROM now() - f.due_at))::integer,
               a.department_id, ro.unrouted AND a.department_id IS NOT NULL
          FROM firing f
          JOIN advanced a ON a.branch_id = f.branch_id AND a.id = f.complaint_id
          JOIN routing ro ON ro.branch_id = f.branch_id AND ro.id = f.complaint_id
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.tier, escalations.due_at,
                  escalations.late_seconds, escalations.department_id
    ), recipients AS (
        SELECT DISTINCT ON (r.id, u.id) r.branch_id, r.id AS escalation_id, r.complaint_id, r.tier, kind.value AS recipient_kind,
               u.id AS user_id, r.late_seconds > 60 AS late,
               jsonb_build_object('caseNumber', c.case_number, 'tier', r.tier, 'dueAt', r.due_at, 'lateSeconds', r.late_seconds,
                                  'status', c.status, 'priority', c.priority, 'level', c.level, 'nature', c.nature,
                                  'categoryId', c.category_id, 'departmentId', r.department_id, 'receivedAt', c.received_at) AS summary
          FROM recorded r
          JOIN public.complaints c ON c.branch_id = r.branch_id AND c.id = r.complaint_id
          JOIN public.sla_policies p ON p.branch_id = c.branch_id AND p.id = c.sla_policy_id
          CROSS JOIN LATERAL jsonb_array_elements(p.document -> 'ladder') AS rung
          CROSS JOIN LATERAL jsonb_array_elements_text(rung -> 'recipients') AS kind (value)
          JOIN public.users u ON u.active AND (
                 (kind.value = 'department_head' AND u.branch_id = r.branch_id
                  AND u.id = (SELECT d.head_user_id FROM public.departments d WHERE d.branch_id = r.branch_id AND d.id = r.department_id))
              OR (kind.value = 'branch_manager' AND u.branch_id = r.branch_id AND 'branch_manager' = ANY (u.roles))
              OR (kind.value = 'complaint_office' AND u.branch_id = r.branch_id
                  AND u.id IN (SELECT d.head_user_id FROM public.departments d WHERE d.branch_id = r.branch_id AND d.kind = 'complaint_office'))
              OR (kind.value = 'executives' AND 'executive' = ANY (u.roles)
                  AND (u.branch_id = r.branch_id OR EXISTS (SELECT FROM public.hq_grants g
                       WHERE g.branch_id = u.branch_id AND g.user_id = u.id AND g.granted_branch_id = r.branch_id)))
              OR (kind.value = 'bots' AND u.branch_id = r.branch_id AND 'bot' = ANY (u.roles)))
         WHERE (rung ->> 'tier')::integer = r.tier
         ORDER BY r.id, u.id, kind.value
    ), paged AS (
        INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, recipient_kind, recipient_user_id, late, summary)
        SELECT rc.branch_id, rc.escalation_id, rc.complaint_id, rc.tier, rc.recipient_kind, rc.user_id, rc.late, rc.summary
          FROM recipients rc
        RETURNING pages.escalation_id
    )
    SELECT r.branch_id, r.complaint_id, r.tier, r.due_at, r.late_seconds,
           (SELECT count(*)::integer FROM paged pg WHERE pg.escalation_id = r.id)
      FROM recorded r
$$;

-- The earliest next escalation time of any complaint, for the scheduler's sleep.
CREATE FUNCTION scheduler.next_due() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$ SELECT min(next_escalation_at) FROM public.complaints WHERE next_escalation_at IS NOT NULL $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA scheduler FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.escalate_due(integer) TO redress_service;
GRANT EXECUTE ON FUNCTION scheduler.next_due() TO redress_service;
