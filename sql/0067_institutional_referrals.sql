-- Institutional complaints (001 §2.2.3): a complaint whose source is `institutional` arrives from a
-- regulator, an industry association, an evaluation body or a consumer association, with the
-- institution's reference and the time by which it must be answered. The referral records them
-- and the reply sent; the scheduler escalates an unanswered referral once its reply is due
-- (`scheduler.escalate_institution_replies`), as an escalation of tier 0 with its timeline entry and
-- pages to the head of the complaint's department and the branch managers, under the same claims
-- as every deadline. Dealings with regulators, consumer associations, police or media about a
-- complaint (000 §3.3) are logged beside it (`complaint_dealings`). Both are rows of the complaint:
-- they carry its visibility (0033) and follow it.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE TABLE institutional_referrals (
    branch_id          uuid NOT NULL,
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id       uuid NOT NULL,
    institution        text NOT NULL CHECK (length(institution) BETWEEN 1 AND 200),
    institution_kind   text NOT NULL CHECK (institution_kind IN ('regulator', 'industry_association', 'evaluation_body',
                                                                  'consumer_association', 'other')),
    reference          text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
    reply_due_at       timestamptz NOT NULL,
    recorded_by        uuid NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    reply              text CHECK (length(reply) BETWEEN 1 AND 8000),
    replied_by         uuid,
    replied_at         timestamptz,
    escalated_at       timestamptz,
    case_department_id                uuid,
    case_collaborating_department_ids uuid[] NOT NULL DEFAULT '{}',
    case_responsible_user_id          uuid,
    case_key           text NOT NULL GENERATED ALWAYS AS
        (public.case_visibility_key(case_department_id, case_collaborating_department_ids, case_responsible_user_id)) STORED,
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, complaint_id),
    CHECK ((reply IS NULL) = (replied_at IS NULL) AND (reply IS NULL) = (replied_by IS NULL))
);
SELECT public.distribute_by_branch('public.institutional_referrals');
ALTER TABLE institutional_referrals ADD CONSTRAINT institutional_referrals_complaint
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id);
ALTER TABLE institutional_referrals ADD CONSTRAINT institutional_referrals_recorded_by
    FOREIGN KEY (branch_id, recorded_by) REFERENCES users (branch_id, id);
ALTER TABLE institutional_referrals ADD CONSTRAINT institutional_referrals_replied_by
    FOREIGN KEY (branch_id, replied_by) REFERENCES users (branch_id, id);
ALTER TABLE institutional_referrals ADD CONSTRAINT institutional_referrals_case_visibility FOREIGN KEY (branch_id, complaint_id, case_key)
    REFERENCES complaints (branch_id, id, visibility_key) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX institutional_referrals_due ON institutional_referrals (reply_due_at) WHERE replied_at IS NULL AND escalated_at IS NULL;

CREATE TABLE complaint_dealings (
    branch_id          uuid NOT NULL,
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id       uuid NOT NULL,
    party_kind         text NOT NULL CHECK (party_kind IN ('regulator', 'consumer_association', 'industry_association', 'police',
                                                            'media', 'court', 'other')),
    party              text NOT NULL CHECK (length(party) BETWEEN 1 AND 200),
    direction          text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    summary            text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
    at                 timestamptz NOT NULL,
    recorded_by        uuid NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    case_department_id                uuid,
    case_collaborating_department_ids uuid[] NOT NULL DEFAULT '{}',
    case_responsible_user_id          uuid,
    case_key           text NOT NULL GENERATED ALWAYS AS
        (public.case_visibility_key(case_department_id, case_collaborating_department_ids, case_responsible_user_id)) STORED,
    PRIMARY KEY (branch_id, id),
    CHECK (at <= recorded_at + interval '5 minutes')
);
SELECT public.distribute_by_branch('public.complaint_dealings');
ALTER TABLE complaint_dealings ADD CONSTRAINT complaint_dealings_complaint FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id);
ALTER TABLE complaint_dealings ADD CONSTRAINT complaint_dealings_recorded_by FOREIGN KEY (branch_id, recorded_by) REFERENCES users (branch_id, id);
ALTER TABLE complaint_dealings ADD CONSTRAINT complaint_dealings_case_visibility FOREIGN KEY (branch_id, complaint_id, case_key)
    REFERENCES complaints (branch_id, id, visibility_key) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX complaint_dealings_complaint ON complaint_dealings (branch_id, complaint_id, at);

CREATE OR REPLACE FUNCTION public.case_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['complaint_events', 'complaint_handovers', 'complaint_communications', 'complaint_evidence',
                       'complaint_findings', 'complaint_surveys', 'complaint_pauses', 'complaint_plans',
                       'escalations', 'pages', 'follow_ups', 'complainant_messages', 'complaint_reviews',
                       'institutional_referrals', 'complaint_dealings'] $$;

ALTER TABLE institutional_referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE institutional_referrals FORCE ROW LEVEL SECURITY;
ALTER TABLE complaint_dealings ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_dealings FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON institutional_referrals TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY platform ON complaint_dealings TO redress_platform USING (true) WITH CHECK (true)$$);
-- Seen as their complaint is; written, as themselves, by whoever may work on it.
SELECT public.scoped_policy($$CREATE POLICY visible ON institutional_referrals FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR case_collaborating_department_ids && (SELECT scope.department_ids())
                OR case_responsible_user_id = (SELECT scope.user_id())))$$);
SELECT public.scoped_policy($$CREATE POLICY recorded ON institutional_referrals FOR INSERT TO redress_service
    WITH CHECK (recorded_by = (SELECT scope.user_id()) AND reply IS NULL AND escalated_at IS NULL
                AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                     OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                     OR case_collaborating_department_ids && (SELECT scope.department_ids())
                     OR case_responsible_user_id = (SELECT scope.user_id())))$$);
SELECT public.scoped_policy($$CREATE POLICY worked_on ON institutional_referrals FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR case_collaborating_department_ids && (SELECT scope.department_ids())
                OR case_responsible_user_id = (SELECT scope.user_id())))
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                     OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                     OR case_collaborating_department_ids && (SELECT scope.department_ids())
                     OR case_responsible_user_id = (SELECT scope.user_id())))$$);
GRANT SELECT ON institutional_referrals TO redress_service;
GRANT INSERT (branch_id, id, complaint_id, institution, institution_kind, reference, reply_due_at, recorded_by,
              case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    ON institutional_referrals TO redress_service;
GRANT UPDATE (reply, replied_by, replied_at, case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    ON institutional_referrals TO redress_service;
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON institutional_referrals
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('institutional_referrals');

-- A reply is sent once, by the caller as themselves; nothing else of a referral changes but its
-- visibility copy. It reads the row and the scope alone, so it runs on any shard.
CREATE FUNCTION public.referral_replied_once() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF current_user <> 'redress_service' OR (NEW.reply, NEW.replied_by, NEW.replied_at) IS NOT DISTINCT FROM (OLD.reply, OLD.replied_by, OLD.replied_at) THEN
        RETURN NEW;
    END IF;
    IF OLD.reply IS NOT NULL OR NEW.replied_by IS DISTINCT FROM scope.user_id() OR NEW.reply IS NULL THEN
        RAISE EXCEPTION 'a referral is answered once, by its replier as themselves' USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.replied_at := now();
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION public.referral_replied_once() FROM PUBLIC;
CREATE TRIGGER replied_once BEFORE UPDATE ON institutional_referrals
    FOR EACH ROW EXECUTE FUNCTION public.referral_replied_once();

SELECT public.scoped_policy($$CREATE POLICY visible ON complaint_dealings FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR case_collaborating_department_ids && (SELECT scope.department_ids())
                OR case_responsible_user_id = (SELECT scope.user_id())))$$);
SELECT public.scoped_policy($$CREATE POLICY logged ON complaint_dealings FOR INSERT TO redress_service
    WITH CHECK (recorded_by = (SELECT scope.user_id()) AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                     OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                     OR case_collaborating_department_ids && (SELECT scope.department_ids())
                     OR case_responsible_user_id = (SELECT scope.user_id())))$$);
SELECT public.scoped_policy($$CREATE POLICY follows_its_case ON complaint_dealings FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR case_collaborating_department_ids && (SELECT scope.department_ids())))
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))$$);
GRANT SELECT ON complaint_dealings TO redress_service;
GRANT INSERT (branch_id, id, complaint_id, party_kind, party, direction, summary, at, recorded_by,
              case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    ON complaint_dealings TO redress_service;
-- Only the visibility copy changes, as the complaint does.
GRANT UPDATE (case_department_id, case_collaborating_department_ids, case_responsible_user_id) ON complaint_dealings TO redress_service;
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON complaint_dealings
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('complaint_dealings');

-- A transaction confined to one complaint (0057) writes that complaint's referral and dealings alone.
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON institutional_referrals AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON institutional_referrals AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_dealings AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_dealings AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);

-- The audit trail keeps no free text of them (a reply, a dealing's party and summary), and
-- erasure after the retention period (0032, 0057) takes it from the rows too.
CREATE OR REPLACE FUNCTION audit.hidden_columns(entity text) RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT audit.hidden_columns() || CASE entity
        WHEN 'complaint_findings' THEN ARRAY['summary']
        WHEN 'complaint_evidence' THEN ARRAY['source', 'collected_by']
        WHEN 'complaint_handovers' THEN ARRAY['reason']
        WHEN 'institutional_referrals' THEN ARRAY['reply']
        WHEN 'complaint_dealings' THEN ARRAY['party', 'summary']
        ELSE '{}'::text[] END
$$;
ALTER FUNCTION retention.erase_complaint(uuid, uuid) RENAME TO erase_complaint_and_reviews;
CREATE FUNCTION retention.erase_complaint(branch uuid, complaint uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    PERFORM retention.erase_complaint_and_reviews(branch, complaint);
    UPDATE public.institutional_referrals r SET reply = 'erased after the retention period'
     WHERE r.branch_id = branch AND r.complaint_id = complaint AND r.reply IS NOT NULL
       AND r.reply <> 'erased after the retention period';
    UPDATE public.complaint_dealings d SET party = 'erased', summary = 'erased after the retention period'
     WHERE d.branch_id = branch AND d.complaint_id = complaint AND d.summary <> 'erased after the retention period';
END
$$;
REVOKE ALL ON FUNCTION retention.erase_complaint(uuid, uuid) FROM PUBLIC;

ALTER TABLE escalations DROP CONSTRAINT escalations_reason_check;
ALTER TABLE escalations ADD CONSTRAINT escalations_reason_check
    CHECK (reason IN ('plan_approval', 'plan_approval_overdue', 'plan_leadership_approval', 'plan_leadership_approval_overdue',
                      'plan_overdue', 'department_routed', 'reopened', 'statutory_result_overdue', 'handling_plan_missing',
                      'complainant_statement', 'review_requested', 'review_overdue', 'institution_reply_overdue'));

-- Escalates up to `batch` unanswered referrals of `branch` whose reply is due, each once: an
-- escalation of tier 0 (`institution_reply_overdue`), its timeline entry and pages to the head of
-- the complaint's department and the branch managers. The complaint is locked shared with the
-- referral, as every claim locks it (0033), and its visibility copied from it. The recipients are read in a statement over
-- no table. Returns what it recorded.
CREATE FUNCTION scheduler.escalate_institution_replies(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, referral_id uuid, late_seconds integer, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    claimed_ids uuid[] := '{}';
    claimed_complaints uuid[] := '{}';
    claimed_referrals uuid[] := '{}';
    claimed_late integer[] := '{}';
    claimed_departments uuid[] := '{}';
    wanted_escalations uuid[] := '{}';
    wanted_kinds text[] := '{}';
    wanted_users uuid[] := '{}';
    paged_escalations uuid[] := '{}';
BEGIN
    WITH due AS (
        SELECT r.branch_id, r.id, r.complaint_id, r.reply_due_at, c.department_id AS case_department_id,
               c.collaborating_department_ids AS case_collaborating_department_ids, c.responsible_user_id AS case_responsible_user_id
          FROM public.institutional_referrals r
          JOIN public.complaints c ON c.branch_id = branch AND c.id = r.complaint_id
         WHERE r.branch_id = branch AND r.replied_at IS NULL AND r.escalated_at IS NULL AND r.reply_due_at <= now()
         ORDER BY r.reply_due_at
         LIMIT batch
           FOR UPDATE OF r SKIP LOCKED
           FOR SHARE OF c SKIP LOCKED
    ), marked AS (
        UPDATE public.institutional_referrals r SET escalated_at = now()
          FROM due d
         WHERE r.branch_id = branch AND r.id = d.id
        RETURNING r.id
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, alarm_key, reason, due_at, late_seconds, department_id,
                                        routed, paged_tier, ack_due_at,
                                        case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT d.branch_id, d.complaint_id, 0, 'institution_reply_overdue:' || d.id, 'institution_reply_overdue', d.reply_due_at,
               greatest(0, extract(epoch FROM now() - d.reply_due_at))::integer, d.case_department_id, false, 0, NULL,
               d.case_department_id, d.case_collaborating_department_ids, d.case_responsible_user_id
          FROM due d JOIN marked m ON m.id = d.id
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.alarm_key, escalations.due_at,
                  escalations.late_seconds, escalations.department_id,
                  escalations.case_department_id, escalations.case_collaborating_department_ids, escalations.case_responsible_user_id
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id, 'institution_reply_overdue',
               jsonb_build_object('referralId', split_part(r.alarm_key, ':', 2), 'dueAt', to_json(r.due_at) #>> '{}',
                                  'lateSeconds', r.late_seconds::text),
               r.case_department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
          FROM recorded r
    )
    SELECT coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.complaint_id), '{}'),
           coalesce(array_agg(split_part(r.alarm_key, ':', 2)::uuid), '{}'), coalesce(array_agg(r.late_seconds), '{}'),
           coalesce(array_agg(r.department_id), '{}')
      INTO claimed_ids, claimed_complaints, claimed_referrals, claimed_late, claimed_departments
      FROM recorded r;
    IF cardinality(claimed_ids) = 0 THEN
        RETURN;
    END IF;

    SELECT coalesce(array_agg(w.escalation_id), '{}'), coalesce(array_agg(w.kind), '{}'), coalesce(array_agg(w.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM (SELECT DISTINCT ON (e.id, p.user_id) e.id AS escalation_id, p.kind, p.user_id
              FROM unnest(claimed_ids, claimed_departments) AS e (id, department)
             CROSS JOIN LATERAL (SELECT l.kind, l.user_id FROM scheduler.plan_recipients(branch, 1, e.department, '{}') l
                                 UNION ALL
                                 SELECT l.kind, l.user_id FROM scheduler.plan_recipients(branch, 2, NULL, '{}') l) p
             ORDER BY e.id, p.user_id, p.kind) w;
    paged_escalations := scheduler.page(branch, wanted_escalations, wanted_kinds, wanted_users);

    RETURN QUERY
        SELECT branch, e.complaint_id, e.referral_id, e.late_seconds, coalesce(pc.pages, 0)
          FROM unnest(claimed_ids, claimed_complaints, claimed_referrals, claimed_late) AS e (id, complaint_id, referral_id, late_seconds)
          LEFT JOIN (SELECT p.id, count(*)::integer AS pages FROM unnest(paged_escalations) AS p (id) GROUP BY p.id) pc ON pc.id = e.id;
END
$$;

CREATE FUNCTION scheduler.due_institution_reply_branches(batch integer) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT q.branch_id FROM (
        SELECT r.branch_id, r.reply_due_at FROM public.institutional_referrals r
         WHERE r.replied_at IS NULL AND r.escalated_at IS NULL AND r.reply_due_at <= now() ORDER BY r.reply_due_at LIMIT batch) q
     GROUP BY q.branch_id ORDER BY min(q.reply_due_at);
END
$$;

CREATE OR REPLACE FUNCTION scheduler.next_due() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT least((SELECT min(next_escalation_at) FROM public.complaints WHERE next_escalation_at IS NOT NULL),
                 (SELECT min(next_alarm_at) FROM public.complaints WHERE next_alarm_at IS NOT NULL),
                 (SELECT min(ack_due_at) FROM public.escalations WHERE ack_due_at IS NOT NULL),
                 (SELECT min(due_at) FROM public.follow_ups WHERE status = 'due' AND escalated_at IS NULL),
                 (SELECT min(requested_at) FROM public.complaint_reviews WHERE status = 'requested' AND told_at IS NULL),
                 (SELECT min(due_at) FROM public.complaint_reviews WHERE status = 'requested' AND escalated_at IS NULL),
                 (SELECT min(due_at) FROM public.rectification_tasks WHERE status = 'open' AND escalated_at IS NULL),
                 (SELECT min(reply_due_at) FROM public.institutional_referrals WHERE replied_at IS NULL AND escalated_at IS NULL))
$$;

-- An overdue institution's reply is an escalation in the enterprise's event feed.
CREATE OR REPLACE FUNCTION scheduler.feed_type(kind text, after jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE
        WHEN kind = 'received' THEN 'created'
        WHEN kind IN ('close', 'mark_invalid') OR (after ->> 'status') = 'closed' THEN 'closed'
        WHEN kind IN ('review_requested', 'review_decided') THEN 'reviewed'
        WHEN kind IN ('escalated', 'milestone_breached', 'review_overdue', 'statutory_result_overdue', 'institution_reply_overdue')
            THEN 'escalated'
        WHEN kind = 'rerouted' OR (after ? 'departmentId' AND kind IN ('grade', 'assign', 'reassign')) THEN 'routed'
        WHEN after ? 'status' THEN 'status_changed'
    END
$$;

REVOKE ALL ON FUNCTION scheduler.escalate_institution_replies(uuid, integer), scheduler.due_institution_reply_branches(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.escalate_institution_replies(uuid, integer), scheduler.due_institution_reply_branches(integer)
    TO redress_scheduler;
