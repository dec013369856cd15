-- Satisfaction follow-ups, and when each milestone of a complaint was met.
--
-- Feeding back the result schedules a satisfaction follow-up, due after the policy's
-- `followUpHours` (default 24). Closing a valid complaint schedules the policy's long-term
-- callbacks (`followUpCallbackDays`, e.g. [7, 30, 91]). Recording a survey completes the
-- follow-up it answers (the one named by `redress.follow_up_id`, else the earliest due); reopening
-- cancels what is still due, and so does closing without a survey (the customer could not be
-- reached). Triggers do all of this, so every path that changes a complaint keeps its follow-ups
-- right; the service role only reads them. An overdue follow-up escalates once:
-- `scheduler.escalate_follow_ups` pages the first rung of the complaint's ladder.

-- Each milestone's deadline and when it was met, kept by a trigger from `sla_deadlines` and
-- `sla_completed` (a met time is cleared when a reopening takes the milestone back). Reports
-- measure on-time rates and handling times from these columns without reading the documents.
ALTER TABLE complaints
    ADD COLUMN acknowledge_deadline timestamptz,
    ADD COLUMN initial_reply_deadline timestamptz,
    ADD COLUMN preliminary_feedback_deadline timestamptz,
    ADD COLUMN result_deadline timestamptz,
    ADD COLUMN acknowledge_met_at timestamptz,
    ADD COLUMN initial_reply_met_at timestamptz,
    ADD COLUMN preliminary_feedback_met_at timestamptz,
    ADD COLUMN result_met_at timestamptz;

CREATE FUNCTION stamp_milestones() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    updating boolean := TG_OP = 'UPDATE';
    milestones jsonb := NEW.sla_deadlines -> 'milestones';
BEGIN
    NEW.acknowledge_deadline := (milestones -> 'acknowledge' ->> 'at')::timestamptz;
    NEW.initial_reply_deadline := (milestones -> 'initial_reply' ->> 'at')::timestamptz;
    NEW.preliminary_feedback_deadline := (milestones -> 'preliminary_feedback' ->> 'at')::timestamptz;
    NEW.result_deadline := (milestones -> 'result' ->> 'at')::timestamptz;
    NEW.acknowledge_met_at := CASE WHEN 'acknowledge' = ANY (NEW.sla_completed) THEN
        coalesce(CASE WHEN updating THEN OLD.acknowledge_met_at END, NEW.acknowledge_met_at, now()) END;
    NEW.initial_reply_met_at := CASE WHEN 'initial_reply' = ANY (NEW.sla_completed) THEN
        coalesce(CASE WHEN updating THEN OLD.initial_reply_met_at END, NEW.initial_reply_met_at, now()) END;
    NEW.preliminary_feedback_met_at := CASE WHEN 'preliminary_feedback' = ANY (NEW.sla_completed) THEN
        coalesce(CASE WHEN updating THEN OLD.preliminary_feedback_met_at END, NEW.preliminary_feedback_met_at, now()) END;
    NEW.result_met_at := CASE WHEN 'result' = ANY (NEW.sla_completed) THEN
        coalesce(CASE WHEN updating THEN OLD.result_met_at END, NEW.result_met_at, now()) END;
    RETURN NEW;
END
$$;
CREATE TRIGGER complaints_milestones BEFORE INSERT OR UPDATE OF sla_completed, sla_deadlines ON complaints
    FOR EACH ROW EXECUTE FUNCTION stamp_milestones();
UPDATE complaints SET sla_deadlines = sla_deadlines WHERE sla_deadlines IS NOT NULL;
UPDATE complaints SET acknowledge_met_at = updated_at WHERE 'acknowledge' = ANY (sla_completed);
UPDATE complaints SET initial_reply_met_at = updated_at WHERE 'initial_reply' = ANY (sla_completed);
UPDATE complaints SET preliminary_feedback_met_at = updated_at WHERE 'preliminary_feedback' = ANY (sla_completed);
UPDATE complaints SET result_met_at = updated_at WHERE 'result' = ANY (sla_completed);

CREATE TABLE follow_ups (
    branch_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id  uuid NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('satisfaction', 'callback')),
    due_at        timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'done', 'cancelled')),
    survey_id     uuid,
    completed_by  uuid,
    completed_at  timestamptz,
    escalated_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id),
    FOREIGN KEY (branch_id, survey_id) REFERENCES complaint_surveys (branch_id, id),
    CHECK ((status = 'done') = (survey_id IS NOT NULL)),
    CHECK ((status = 'due') = (completed_at IS NULL))
);
-- The agents' work queue (due first), a complaint's follow-ups, and the scheduler's overdue list.
CREATE INDEX follow_ups_queue ON follow_ups (branch_id, due_at, id) WHERE status = 'due';
CREATE INDEX follow_ups_complaint ON follow_ups (branch_id, complaint_id, due_at);
CREATE INDEX follow_ups_overdue ON follow_ups (due_at) WHERE status = 'due' AND escalated_at IS NULL;

ALTER TABLE follow_ups ENABLE ROW LEVEL SECURITY;
ALTER TABLE follow_ups FORCE ROW LEVEL SECURITY;
CREATE POLICY platform ON follow_ups TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY visible ON follow_ups FOR SELECT TO redress_service
    USING (EXISTS (SELECT FROM complaints c WHERE c.branch_id = follow_ups.branch_id AND c.id = follow_ups.complaint_id));
GRANT SELECT ON follow_ups TO redress_service;
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON follow_ups FOR EACH ROW EXECUTE FUNCTION audit.record_change();

-- Schedules, cancels and re-schedules follow-ups as the complaint's status moves; wakes the
-- scheduler when something new falls due.
CREATE FUNCTION schedule_follow_ups() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    policy jsonb := (SELECT p.document FROM sla_policies p WHERE p.branch_id = NEW.branch_id AND p.id = NEW.sla_policy_id);
BEGIN
    IF NEW.status = 'result_fed_back' AND OLD.status NOT IN ('result_fed_back', 'follow_up') THEN
        INSERT INTO follow_ups (branch_id, complaint_id, kind, due_at)
        VALUES (NEW.branch_id, NEW.id, 'satisfaction',
                now() + make_interval(hours => coalesce((policy ->> 'followUpHours')::integer, 24)));
        PERFORM pg_notify('redress_deadlines', NEW.branch_id::text || ':' || NEW.id::text);
    ELSIF NEW.status = 'investigating' AND OLD.status IN ('result_fed_back', 'follow_up', 'closed', 'archived') THEN
        UPDATE follow_ups SET status = 'cancelled', completed_at = now()
         WHERE branch_id = NEW.branch_id AND complaint_id = NEW.id AND status = 'due';
    ELSIF NEW.status = 'closed' AND OLD.status <> 'closed' THEN
        UPDATE follow_ups SET status = 'cancelled', completed_at = now()
         WHERE branch_id = NEW.branch_id AND complaint_id = NEW.id AND status = 'due' AND kind = 'satisfaction';
        IF NEW.nature <> 'invalid' THEN
            INSERT INTO follow_ups (branch_id, complaint_id, kind, due_at)
            SELECT NEW.branch_id, NEW.id, 'callback', now() + make_interval(days => days::integer)
              FROM jsonb_array_elements_text(coalesce(policy -> 'followUpCallbackDays', '[]'::jsonb)) AS d (days);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER complaints_follow_ups AFTER UPDATE OF status ON complaints
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION schedule_follow_ups();

-- A recorded survey completes the follow-up it answers.
CREATE FUNCTION complete_follow_up() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    named uuid := nullif(current_setting('redress.follow_up_id', true), '')::uuid;
BEGIN
    UPDATE follow_ups f
       SET status = 'done', survey_id = NEW.id, completed_by = NEW.recorded_by, completed_at = NEW.recorded_at
     WHERE f.branch_id = NEW.branch_id
       AND f.id = (SELECT o.id FROM follow_ups o
                    WHERE o.branch_id = NEW.branch_id AND o.complaint_id = NEW.complaint_id AND o.status = 'due'
                      AND (named IS NULL OR o.id = named)
                    ORDER BY o.due_at, o.id LIMIT 1);
    RETURN NULL;
END
$$;
CREATE TRIGGER complaint_surveys_follow_up AFTER INSERT ON complaint_surveys
    FOR EACH ROW EXECUTE FUNCTION complete_follow_up();

-- Escalations of overdue follow-ups name the follow-up; a complaint's resolution tiers stay
-- unique as before, and each follow-up escalates at most once.
ALTER TABLE escalations ADD COLUMN follow_up_id uuid;
ALTER TABLE escalations ADD FOREIGN KEY (branch_id, follow_up_id) REFERENCES follow_ups (branch_id, id);
ALTER TABLE escalations DROP CONSTRAINT escalations_branch_id_complaint_id_tier_key;
ALTER TABLE escalations ADD CONSTRAINT escalations_branch_id_complaint_id_tier_key
    UNIQUE NULLS NOT DISTINCT (branch_id, complaint_id, tier, follow_up_id);

-- Escalates up to `batch` overdue follow-ups: each is recorded once as a tier-1 escalation naming
-- the follow-up, and the first rung of the complaint's ladder is paged. No re-paging: the
-- follow-up stays in the agents' queue until it is done.
CREATE FUNCTION scheduler.escalate_follow_ups(batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, follow_up_id uuid, late_seconds integer, pages integer)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    WITH due AS (
        SELECT f.branch_id, f.id, f.complaint_id, f.due_at
          FROM public.follow_ups f
         WHERE f.status = 'due' AND f.escalated_at IS NULL AND f.due_at <= now()
         ORDER BY f.due_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), marked AS (
        UPDATE public.follow_ups f SET escalated_at = now()
          FROM due d
         WHERE f.branch_id = d.branch_id AND f.id = d.id
        RETURNING f.branch_id, f.id
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, due_at, late_seconds, department_id, routed, paged_tier,
                                        ack_due_at, follow_up_id)
        SELECT d.branch_id, d.complaint_id, 1, d.due_at, greatest(0, extract(epoch FROM now() - d.due_at))::integer,
               c.department_id, false, 1, NULL, d.id
          FROM due d
          JOIN marked m ON m.branch_id = d.branch_id AND m.id = d.id
          JOIN public.complaints c ON c.branch_id = d.branch_id AND c.id = d.complaint_id
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.tier, escalations.due_at,
                  escalations.late_seconds, escalations.department_id, escalations.follow_up_id
    ), paged AS (
        INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary)
        SELECT r.branch_id, r.id, r.complaint_id, r.tier, r.tier, who.kind, who.user_id, r.late_seconds > 60,
               scheduler.page_summary(c, r.tier, r.due_at, r.late_seconds, r.department_id)
                   || jsonb_build_object('reason', 'follow_up_overdue', 'followUpId', r.follow_up_id)
          FROM recorded r
          JOIN public.complaints c ON c.branch_id = r.branch_id AND c.id = r.complaint_id
         CROSS JOIN LATERAL scheduler.ladder_recipients(r.branch_id, c.sla_policy_id, r.tier, r.department_id, true) who
        RETURNING pages.escalation_id
    ), paged_count AS (
        SELECT pg.escalation_id, count(*)::integer AS pages FROM paged pg GROUP BY pg.escalation_id
    )
    SELECT r.branch_id, r.complaint_id, r.follow_up_id, r.late_seconds, coalesce(pc.pages, 0)
      FROM recorded r
      LEFT JOIN paged_count pc ON pc.escalation_id = r.id
$$;

-- The earliest time the scheduler has work: a tier falling due, an ack window ending, or a
-- follow-up falling overdue.
CREATE OR REPLACE FUNCTION scheduler.next_due() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    SELECT least((SELECT min(next_escalation_at) FROM public.complaints WHERE next_escalation_at IS NOT NULL),
                 (SELECT min(ack_due_at) FROM public.escalations WHERE ack_due_at IS NOT NULL),
                 (SELECT min(due_at) FROM public.follow_ups WHERE status = 'due' AND escalated_at IS NULL))
$$;

-- The timeline entry of an escalation names the follow-up it is about, if any.
CREATE OR REPLACE FUNCTION scheduler.note_escalations() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public
    AS $$
BEGIN
    INSERT INTO complaint_events (branch_id, complaint_id, kind, after)
    SELECT e.branch_id, e.complaint_id, 'escalated',
           jsonb_build_object('tier', e.tier::text, 'dueAt', to_json(e.due_at) #>> '{}', 'lateSeconds', e.late_seconds::text,
                              'departmentId', e.department_id::text, 'routed', e.routed::text)
               || CASE WHEN e.follow_up_id IS NOT NULL THEN jsonb_build_object('followUpId', e.follow_up_id::text)
                       ELSE '{}'::jsonb END
      FROM recorded_escalations e;
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION schedule_follow_ups(), complete_follow_up(), stamp_milestones() FROM PUBLIC;
REVOKE ALL ON FUNCTION scheduler.escalate_follow_ups(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.escalate_follow_ups(integer) TO redress_service;
