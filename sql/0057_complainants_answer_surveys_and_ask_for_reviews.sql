-- A complainant answers the satisfaction survey and asks for a review (復議) of the result, with
-- the case number and access code they look their complaint up with (0055), without signing in.
--
-- Both run as the complainant: a user of the branch holding the role `complainant` alone, with no
-- password and no key, so that nobody signs in as it; `progress.admit_complainant` makes it when
-- a branch first needs it. Its transactions are scoped to the one complaint whose code was given:
-- `redress.complaint_id` is set, and restrictive policies keep every other complaint from being
-- changed and every other complaint's rows from being seen or changed, whatever else the scope
-- allows (`one_complaint`). A reviewer's decision
-- runs confined the same way, so that reopening the reviewed complaint is all it may change
-- beyond what the reviewer's roles allow.
--
-- A review is asked within the window of the complaint's SLA policy after its result was fed back
-- (`reviewWindowDays`, 15), is due `reviewDays` later (7), and is decided `upheld` or `revised`
-- by someone who neither handled the complaint nor heads its department: the complaint office
-- (which joins the complaint to see it) or a branch manager. `revised` reopens the complaint. The
-- scheduler tells the reviewers of a new review and escalates an overdue one to the branch
-- managers (`scheduler.escalate_reviews`), each once, as escalations of tier 0 with their timeline
-- entries and pages.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- The complainant, one per branch.
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['agent', 'handler',
    'department_head', 'branch_manager', 'executive', 'auditor', 'bot', 'admin', 'complainant']);
ALTER TABLE users ADD CONSTRAINT users_complainant_alone
    CHECK (NOT 'complainant' = ANY (roles) OR (roles = ARRAY['complainant'] AND password_hash IS NULL AND department_ids = '{}'));
CREATE UNIQUE INDEX users_one_complainant ON users (branch_id) WHERE roles = ARRAY['complainant'];
-- Made by the owner only: the service neither makes, changes nor removes it.
SELECT public.scoped_policy($$CREATE POLICY not_the_complainant ON users AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK (NOT 'complainant' = ANY (roles))$$);
SELECT public.scoped_policy($$CREATE POLICY complainant_unchanged ON users AS RESTRICTIVE FOR UPDATE TO redress_service
    USING (NOT 'complainant' = ANY (roles)) WITH CHECK (NOT 'complainant' = ANY (roles))$$);
SELECT public.scoped_policy($$CREATE POLICY complainant_kept ON users AS RESTRICTIVE FOR DELETE TO redress_service
    USING (NOT 'complainant' = ANY (roles))$$);

-- The one complaint a transaction is confined to, or NULL.
CREATE FUNCTION scope.complaint_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('redress.complaint_id', true), '')::uuid $$;
REVOKE ALL ON FUNCTION scope.complaint_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scope.complaint_id() TO redress_service;

-- Reviews (復議): asked by the complainant, decided by someone who did not handle the case.
CREATE TABLE complaint_reviews (
    branch_id              uuid NOT NULL,
    id                     uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id           uuid NOT NULL,
    grounds                text NOT NULL CHECK (length(grounds) BETWEEN 1 AND 4000),
    requested_by           uuid NOT NULL,
    requested_at           timestamptz NOT NULL DEFAULT now(),
    due_at                 timestamptz NOT NULL,
    reviewer_department_id uuid,
    status                 text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'upheld', 'revised')),
    decided_by             uuid,
    decided_at             timestamptz,
    reasoning              text CHECK (length(reasoning) BETWEEN 1 AND 4000),
    told_at                timestamptz,
    escalated_at           timestamptz,
    case_department_id                uuid,
    case_collaborating_department_ids uuid[] NOT NULL DEFAULT '{}',
    case_responsible_user_id          uuid,
    case_key               text NOT NULL GENERATED ALWAYS AS
        (public.case_visibility_key(case_department_id, case_collaborating_department_ids, case_responsible_user_id)) STORED,
    PRIMARY KEY (branch_id, id),
    CHECK (due_at > requested_at),
    CHECK ((status = 'requested') = (decided_at IS NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL)),
    CHECK ((decided_at IS NULL) = (reasoning IS NULL))
);
SELECT public.distribute_by_branch('public.complaint_reviews');
ALTER TABLE complaint_reviews ADD CONSTRAINT complaint_reviews_complaint
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id);
ALTER TABLE complaint_reviews ADD CONSTRAINT complaint_reviews_requested_by
    FOREIGN KEY (branch_id, requested_by) REFERENCES users (branch_id, id);
ALTER TABLE complaint_reviews ADD CONSTRAINT complaint_reviews_decided_by
    FOREIGN KEY (branch_id, decided_by) REFERENCES users (branch_id, id);
ALTER TABLE complaint_reviews ADD CONSTRAINT complaint_reviews_reviewer_department
    FOREIGN KEY (branch_id, reviewer_department_id) REFERENCES departments (branch_id, id);
CREATE UNIQUE INDEX complaint_reviews_one_open ON complaint_reviews (branch_id, complaint_id) WHERE status = 'requested';
CREATE INDEX complaint_reviews_complaint ON complaint_reviews (branch_id, complaint_id, requested_at);
CREATE INDEX complaint_reviews_requested ON complaint_reviews (branch_id, requested_at);
CREATE INDEX complaint_reviews_untold ON complaint_reviews (requested_at) WHERE status = 'requested' AND told_at IS NULL;
CREATE INDEX complaint_reviews_due ON complaint_reviews (due_at) WHERE status = 'requested' AND escalated_at IS NULL;

-- Reviews carry their complaint's visibility like its other rows (0033), and follow it.
CREATE OR REPLACE FUNCTION public.case_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['complaint_events', 'complaint_handovers', 'complaint_communications', 'complaint_evidence',
                       'complaint_findings', 'complaint_surveys', 'complaint_pauses', 'complaint_plans',
                       'escalations', 'pages', 'follow_ups', 'complainant_messages', 'complaint_reviews'] $$;
ALTER TABLE complaint_reviews ADD CONSTRAINT complaint_reviews_case_visibility FOREIGN KEY (branch_id, complaint_id, case_key)
    REFERENCES complaints (branch_id, id, visibility_key) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE complaint_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_reviews FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON complaint_reviews TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY visible ON complaint_reviews FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR case_collaborating_department_ids && (SELECT scope.department_ids())
                OR case_responsible_user_id = (SELECT scope.user_id())))$$);
-- Asked by the complainant, as themselves, only as new.
SELECT public.scoped_policy($$CREATE POLICY requested ON complaint_reviews FOR INSERT TO redress_service
    WITH CHECK (requested_by = (SELECT scope.user_id()) AND status = 'requested' AND told_at IS NULL AND escalated_at IS NULL
                AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))$$);
-- Changed by whoever works on the case: its visibility copy follows the case, and its reviewer
-- decides it, once, as themselves (`public.review_decided_once`).
SELECT public.scoped_policy($$CREATE POLICY follows_its_case ON complaint_reviews FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR case_collaborating_department_ids && (SELECT scope.department_ids())))
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                     OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                     OR case_collaborating_department_ids && (SELECT scope.department_ids())))$$);
GRANT SELECT ON complaint_reviews TO redress_service;
GRANT INSERT (branch_id, id, complaint_id, grounds, requested_by, due_at, reviewer_department_id,
              case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    ON complaint_reviews TO redress_service;
GRANT UPDATE (status, decided_by, decided_at, reasoning,
              case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    ON complaint_reviews TO redress_service;
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON complaint_reviews
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('complaint_reviews');

-- A review is decided once, by the service's caller as themselves; nothing a caller does undoes
-- a decision (the owner's functions, run without a caller, tell reviewers and erase). The check
-- reads nothing but the row and the transaction's scope, so it runs on any shard.
CREATE FUNCTION public.review_decided_once() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF scope.user_id() IS NULL THEN
        RETURN NEW;
    END IF;
    IF OLD.status <> 'requested' AND (NEW.status, NEW.decided_by, NEW.decided_at, NEW.reasoning)
                                     IS DISTINCT FROM (OLD.status, OLD.decided_by, OLD.decided_at, OLD.reasoning) THEN
        RAISE EXCEPTION 'review % was decided already', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status <> OLD.status AND NEW.decided_by IS DISTINCT FROM scope.user_id() THEN
        RAISE EXCEPTION 'a review is decided by its reviewer as themselves' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION public.review_decided_once() FROM PUBLIC;
CREATE TRIGGER decided_once BEFORE UPDATE ON complaint_reviews
    FOR EACH ROW EXECUTE FUNCTION public.review_decided_once();

-- Erasure after the retention period (0032) takes the grounds and the reasons too.
ALTER FUNCTION retention.erase_complaint(uuid, uuid) RENAME TO erase_complaint_records;
CREATE FUNCTION retention.erase_complaint(branch uuid, complaint uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    PERFORM retention.erase_complaint_records(branch, complaint);
    UPDATE public.complaint_reviews r
       SET grounds = 'erased after the retention period',
           reasoning = CASE WHEN r.reasoning IS NOT NULL THEN 'erased after the retention period' END
     WHERE r.branch_id = branch AND r.complaint_id = complaint AND r.grounds <> 'erased after the retention period';
END
$$;
REVOKE ALL ON FUNCTION retention.erase_complaint(uuid, uuid) FROM PUBLIC;

-- A transaction confined to one complaint writes that complaint and its rows alone: restrictive
-- policies on changes (`one_complaint_taken`, `…_changed`, `…_removed`). Reads are left to the
-- visibility policies, since a restrictive condition on reads makes the planner misjudge staff
-- listings (`scripts/bench rls`: a department's newest 50 at 79 times the cost instead of 1.3),
-- and the store reads only what belongs to the complaint it admitted.
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaints AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaints AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaints AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_events AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_events AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaint_events AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_handovers AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_handovers AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaint_handovers AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_communications AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_communications AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaint_communications AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_evidence AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_evidence AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaint_evidence AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_findings AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_findings AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaint_findings AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_surveys AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_surveys AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaint_surveys AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_pauses AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_pauses AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaint_pauses AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_plans AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_plans AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaint_plans AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON escalations AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON escalations AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON escalations AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON pages AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON pages AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON pages AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON follow_ups AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON follow_ups AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON follow_ups AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complainant_messages AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complainant_messages AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complainant_messages AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_taken ON complaint_reviews AS RESTRICTIVE FOR INSERT TO redress_service
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_changed ON complaint_reviews AS RESTRICTIVE FOR UPDATE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))
    WITH CHECK ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY one_complaint_removed ON complaint_reviews AS RESTRICTIVE FOR DELETE TO redress_service
    USING ((SELECT scope.complaint_id()) IS NULL OR complaint_id = (SELECT scope.complaint_id()))$$);

-- Who tells the reviewers and who escalates an overdue review.
ALTER TABLE escalations DROP CONSTRAINT escalations_reason_check;
ALTER TABLE escalations ADD CONSTRAINT escalations_reason_check
    CHECK (reason IN ('plan_approval', 'plan_approval_overdue', 'plan_leadership_approval', 'plan_leadership_approval_overdue',
                      'plan_overdue', 'department_routed', 'reopened', 'statutory_result_overdue', 'handling_plan_missing',
                      'complainant_statement', 'review_requested', 'review_overdue'));

-- Admits a complainant by case number and access code (`progress.admit`, with its count of wrong
-- codes, lock and audit entry): {"outcome": "found", "branchId", "complaintId", "complainantId"}
-- with the branch's complainant user, made the first time (login `complainant.self-service`, or a
-- random one when a person holds that); else the refusal ("unknown", "locked").
CREATE FUNCTION progress.admit_complainant(case_number text, code_digest bytea, client text, request_id text,
                                           max_failures integer, lock_for interval, via text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    admitted record;
    branch uuid;
    complainant uuid;
BEGIN
    IF via NOT IN ('public_survey', 'public_review', 'public_statement') THEN
        RAISE EXCEPTION 'unknown way in: %', via USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO admitted FROM progress.admit(case_number, code_digest, client, request_id, max_failures, lock_for, via);
    IF admitted.refusal IS NOT NULL THEN
        RETURN admitted.refusal;
    END IF;
    branch := (admitted.found_case).branch_id;
    SELECT u.id INTO complainant FROM public.users u WHERE u.branch_id = branch AND u.roles = ARRAY['complainant'];
    IF complainant IS NULL THEN
        INSERT INTO public.users (branch_id, login, name, roles)
        VALUES (branch, 'complainant.self-service', 'The complainant', ARRAY['complainant'])
        ON CONFLICT DO NOTHING;
        SELECT u.id INTO complainant FROM public.users u WHERE u.branch_id = branch AND u.roles = ARRAY['complainant'];
        IF complainant IS NULL THEN
            -- A person holds the login: the complainant takes one nobody can have chosen.
            INSERT INTO public.users (branch_id, login, name, roles)
            VALUES (branch, 'complainant.' || replace(gen_random_uuid()::text, '-', ''), 'The complainant', ARRAY['complainant'])
            ON CONFLICT DO NOTHING;
            SELECT u.id INTO complainant FROM public.users u WHERE u.branch_id = branch AND u.roles = ARRAY['complainant'];
        END IF;
    END IF;
    RETURN jsonb_build_object('outcome', 'found', 'branchId', branch, 'complaintId', (admitted.found_case).id,
                              'complainantId', complainant);
END
$function$;
REVOKE ALL ON FUNCTION progress.admit_complainant(text, bytea, text, text, integer, interval, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION progress.admit_complainant(text, bytea, text, text, integer, interval, text) TO redress_service;

-- The timeline entries a complainant is told of on the public page: the lifecycle's steps, their
-- statements, and their reviews (with a decision's outcome).
CREATE FUNCTION progress.told_kinds() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['received', 'acknowledge', 'grade', 'assign', 'reassign', 'rerouted', 'start_investigation', 'approve_plan',
                       'start_implementation', 'feed_back_result', 'resolve_on_the_spot', 'start_follow_up', 'record_satisfaction',
                       'close', 'mark_invalid', 'reopen', 'await_customer', 'resume', 'statement_received', 'review_requested',
                       'review_decided'] $$;
REVOKE ALL ON FUNCTION progress.told_kinds() FROM PUBLIC;

-- The public view as 0055 gives it, its entries' kinds from `progress.told_kinds()`.
CREATE OR REPLACE FUNCTION progress.look_up(case_number text, code_digest bytea, client text, request_id text,
                                 max_failures integer, lock_for interval)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    admitted record;
    found_case public.complaints;
    branch uuid;
    view jsonb;
BEGIN
    SELECT * INTO admitted FROM progress.admit(case_number, code_digest, client, request_id, max_failures, lock_for,
                                               'public_lookup');
    IF admitted.refusal IS NOT NULL THEN
        RETURN admitted.refusal;
    END IF;
    found_case := admitted.found_case;
    branch := found_case.branch_id;
    SELECT jsonb_build_object(
               'caseNumber', found_case.case_number,
               'status', found_case.status,
               'pausedFrom', found_case.paused_from,
               'language', found_case.complainant_language,
               'receivedAt', date_trunc('second', found_case.received_at),
               'level', found_case.level,
               'category', (SELECT k.name FROM public.categories k
                             WHERE k.branch_id = branch AND k.id = found_case.category_id),
               'product', found_case.product,
               'department', (SELECT d.name FROM public.departments d
                               WHERE d.branch_id = branch AND d.id = found_case.department_id),
               'promisedBy', date_trunc('second', found_case.promised_by),
               'closedAt', date_trunc('second', found_case.closed_at),
               'reopenCount', found_case.reopen_count,
               'milestones', jsonb_build_array(
                   jsonb_build_object('milestone', 'acknowledge', 'dueAt', date_trunc('second', found_case.acknowledge_deadline),
                                      'metAt', date_trunc('second', found_case.acknowledge_met_at)),
                   jsonb_build_object('milestone', 'initial_reply', 'dueAt', date_trunc('second', found_case.initial_reply_deadline),
                                      'metAt', date_trunc('second', found_case.initial_reply_met_at)),
                   jsonb_build_object('milestone', 'preliminary_feedback',
                                      'dueAt', date_trunc('second', found_case.preliminary_feedback_deadline),
                                      'metAt', date_trunc('second', found_case.preliminary_feedback_met_at)),
                   jsonb_build_object('milestone', 'result', 'dueAt', date_trunc('second', found_case.result_deadline),
                                      'metAt', date_trunc('second', found_case.result_met_at))),
               'timeline', coalesce((
                   SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                              'at', date_trunc('second', e.at), 'kind', e.kind,
                              'level', e.after ->> 'level',
                              'promisedBy', e.after ->> 'promisedBy', 'outcome', e.after ->> 'outcome',
                              'department', CASE WHEN e.after ? 'departmentId' THEN
                                  (SELECT d.name FROM public.departments d
                                    WHERE d.branch_id = branch AND d.id::text = e.after ->> 'departmentId') END))
                          ORDER BY e.at, e.id)
                     FROM public.complaint_events e
                    WHERE e.branch_id = branch AND e.complaint_id = found_case.id
                      AND e.kind = ANY (progress.told_kinds())), '[]'::jsonb))
      INTO view;
    RETURN jsonb_build_object('outcome', 'found', 'complaint', view);
END
$function$;

-- Tells the reviewers of up to `batch` new reviews of `branch` and escalates its overdue ones,
-- each once: an escalation of tier 0 (`review_requested`, to the reviewing department's head, or
-- the branch managers when no complaint office reviews; `review_overdue`, to the branch managers
-- and that head), its timeline entry and pages. Returns what it recorded.
CREATE FUNCTION scheduler.escalate_reviews(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, review_id uuid, reason text, late_seconds integer, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    claimed_ids uuid[] := '{}';
    claimed_complaints uuid[] := '{}';
    claimed_reviews uuid[] := '{}';
    claimed_reasons text[] := '{}';
    claimed_late integer[] := '{}';
    claimed_offices uuid[] := '{}';
    wanted_escalations uuid[] := '{}';
    wanted_kinds text[] := '{}';
    wanted_users uuid[] := '{}';
    paged_escalations uuid[] := '{}';
BEGIN
    WITH due AS (
        SELECT r.branch_id, r.id, r.complaint_id, r.requested_at, r.due_at, r.told_at, r.reviewer_department_id,
               c.department_id AS case_department_id, c.collaborating_department_ids AS case_collaborating_department_ids,
               c.responsible_user_id AS case_responsible_user_id
          FROM public.complaint_reviews r
          JOIN public.complaints c ON c.branch_id = branch AND c.id = r.complaint_id
         WHERE r.branch_id = branch AND r.status = 'requested'
           AND (r.told_at IS NULL OR (r.escalated_at IS NULL AND r.due_at <= now()))
         ORDER BY least(CASE WHEN r.told_at IS NULL THEN r.requested_at END, r.due_at)
         LIMIT batch
           FOR UPDATE OF r SKIP LOCKED
           FOR SHARE OF c SKIP LOCKED
    ), marked AS (
        UPDATE public.complaint_reviews r
           SET told_at = coalesce(r.told_at, now()),
               escalated_at = CASE WHEN r.due_at <= now() THEN coalesce(r.escalated_at, now()) END
          FROM due d
         WHERE r.branch_id = branch AND r.id = d.id
        RETURNING r.branch_id, r.id
    ), raising AS (
        SELECT d.*, why.reason, why.at
          FROM due d
          JOIN marked m ON m.branch_id = d.branch_id AND m.id = d.id
         CROSS JOIN LATERAL (SELECT 'review_requested' AS reason, d.requested_at AS at WHERE d.told_at IS NULL
                             UNION ALL
                             SELECT 'review_overdue', d.due_at WHERE d.due_at <= now()) why
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, alarm_key, reason, due_at, late_seconds, department_id,
                                        routed, paged_tier, ack_due_at,
                                        case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id, 0, r.reason || ':' || r.id, r.reason, r.at,
               greatest(0, extract(epoch FROM now() - r.at))::integer, r.case_department_id, false, 0, NULL,
               r.case_department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
          FROM raising r
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.reason, escalations.alarm_key,
                  escalations.due_at, escalations.late_seconds,
                  escalations.case_department_id, escalations.case_collaborating_department_ids, escalations.case_responsible_user_id
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id, CASE r.reason WHEN 'review_requested' THEN 'reviewers_told' ELSE 'review_overdue' END,
               jsonb_build_object('reviewId', split_part(r.alarm_key, ':', 2), 'dueAt', to_json(r.due_at) #>> '{}',
                                  'lateSeconds', r.late_seconds::text),
               r.case_department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
          FROM recorded r
    )
    SELECT coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.complaint_id), '{}'),
           coalesce(array_agg(split_part(r.alarm_key, ':', 2)::uuid), '{}'), coalesce(array_agg(r.reason), '{}'),
           coalesce(array_agg(r.late_seconds), '{}'),
           coalesce(array_agg((SELECT x.reviewer_department_id FROM due x WHERE x.id = split_part(r.alarm_key, ':', 2)::uuid)), '{}')
      INTO claimed_ids, claimed_complaints, claimed_reviews, claimed_reasons, claimed_late, claimed_offices
      FROM recorded r;
    IF cardinality(claimed_ids) = 0 THEN
        RETURN;
    END IF;

    -- Who is paged: the reviewing department's head, and the branch managers when the review is
    -- overdue, or no complaint office (or no active head of it) would hear of it.
    SELECT coalesce(array_agg(w.escalation_id), '{}'), coalesce(array_agg(w.kind), '{}'), coalesce(array_agg(w.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM (SELECT DISTINCT ON (e.id, p.user_id) e.id AS escalation_id, p.kind, p.user_id
              FROM unnest(claimed_ids, claimed_reasons, claimed_offices) AS e (id, reason, office)
             CROSS JOIN LATERAL (SELECT l.kind, l.user_id FROM scheduler.plan_recipients(branch, 1, e.office, '{}') l
                                  WHERE e.office IS NOT NULL
                                 UNION ALL
                                 SELECT l.kind, l.user_id FROM scheduler.plan_recipients(branch, 2, NULL, '{}') l
                                  WHERE e.reason = 'review_overdue'
                                     OR NOT EXISTS (SELECT FROM scheduler.plan_recipients(branch, 1, e.office, '{}'))) p
             ORDER BY e.id, p.user_id, p.kind) w;
    paged_escalations := scheduler.page(branch, wanted_escalations, wanted_kinds, wanted_users);

    RETURN QUERY
        SELECT branch, e.complaint_id, e.review_id, e.reason, e.late_seconds, coalesce(pc.pages, 0)
          FROM unnest(claimed_ids, claimed_complaints, claimed_reviews, claimed_reasons, claimed_late)
               AS e (id, complaint_id, review_id, reason, late_seconds)
          LEFT JOIN (SELECT p.id, count(*)::integer AS pages FROM unnest(paged_escalations) AS p (id) GROUP BY p.id) pc ON pc.id = e.id;
END
$$;

-- The branches with reviewers to tell or reviews overdue, beside the other kinds of work (0026).
CREATE FUNCTION scheduler.due_review_branches(batch integer) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT q.branch_id FROM (
        (SELECT r.branch_id, r.requested_at AS due FROM public.complaint_reviews r
          WHERE r.status = 'requested' AND r.told_at IS NULL ORDER BY r.requested_at LIMIT batch)
        UNION ALL
        (SELECT r.branch_id, r.due_at FROM public.complaint_reviews r
          WHERE r.status = 'requested' AND r.escalated_at IS NULL AND r.due_at <= now() ORDER BY r.due_at LIMIT batch)) q
     GROUP BY q.branch_id ORDER BY min(q.due);
END
$$;

-- The earliest time the scheduler has work, reviews included.
CREATE OR REPLACE FUNCTION scheduler.next_due() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT least((SELECT min(next_escalation_at) FROM public.complaints WHERE next_escalation_at IS NOT NULL),
                 (SELECT min(next_alarm_at) FROM public.complaints WHERE next_alarm_at IS NOT NULL),
                 (SELECT min(ack_due_at) FROM public.escalations WHERE ack_due_at IS NOT NULL),
                 (SELECT min(due_at) FROM public.follow_ups WHERE status = 'due' AND escalated_at IS NULL),
                 (SELECT min(requested_at) FROM public.complaint_reviews WHERE status = 'requested' AND told_at IS NULL),
                 (SELECT min(due_at) FROM public.complaint_reviews WHERE status = 'requested' AND escalated_at IS NULL))
$$;

REVOKE ALL ON FUNCTION scheduler.escalate_reviews(uuid, integer), scheduler.due_review_branches(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.escalate_reviews(uuid, integer), scheduler.due_review_branches(integer) TO redress_scheduler;
