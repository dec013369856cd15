-- A complainant looks up their complaint's progress without signing in, with its case number
-- and the access code they were given at intake.
--
-- The code is stored only as its digest: HMAC-SHA256 of the code under the service's blind-index
-- key (PII_INDEX_KEY), so the database alone cannot tell which code opens a case. Times in the
-- public view are whole seconds. The complaint records the complainant's language and
-- the channel they prefer to be told on.
--
-- `progress.look_up` is the only way to read a complaint without a caller: it answers the public
-- view only when the digest matches, counts wrong codes per case number whether or not the case
-- exists (so an unknown case and a wrong code are one answer), locks the case number for
-- `lock_for` once `max_failures` wrong codes came within that time, and records every lookup in
-- the branch's audit trail (action `read`, no actor, `after.via = 'public_lookup'`). It runs as
-- its own single-statement transaction, so on Citus no other role touches the same placements
-- (docs/scaling.md).

ALTER TABLE complaints
    ADD COLUMN access_code_digest bytea CHECK (length(access_code_digest) = 32),
    ADD COLUMN complainant_language text NOT NULL DEFAULT 'zh-Hans'
        CHECK (complainant_language IN ('zh-Hans', 'zh-Hant', 'en')),
    ADD COLUMN complainant_channel text CHECK (complainant_channel IN ('sms', 'email', 'push', 'online'));
GRANT UPDATE (access_code_digest, complainant_language, complainant_channel) ON complaints TO redress_service;

CREATE SCHEMA progress;
REVOKE ALL ON SCHEMA progress FROM PUBLIC;
GRANT USAGE ON SCHEMA progress TO redress_service;

-- Wrong codes per case number, whoever sent them; a row is forgotten a day after its last failure
-- or when the right code is given.
CREATE TABLE progress.lookup_failures (
    case_number     text PRIMARY KEY,
    failures        integer NOT NULL CHECK (failures > 0),
    first_failure_at timestamptz NOT NULL,
    locked_until    timestamptz,
    last_failure_at timestamptz NOT NULL
);
CREATE INDEX lookup_failures_age ON progress.lookup_failures (last_failure_at);
ALTER TABLE progress.lookup_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE progress.lookup_failures FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON progress.lookup_failures TO redress_platform USING (true) WITH CHECK (true)$$);
REVOKE ALL ON progress.lookup_failures FROM PUBLIC;

-- The public view of a complaint, or why there is none: {"outcome": "found", "complaint": {…}},
-- {"outcome": "unknown"} or {"outcome": "locked", "retryAfterSeconds": n}. The view holds no
-- staff names, no notes and no personal data: status, level, category, product, the handling
-- department's name, the promised time, each milestone's deadline and when it was met, and the
-- timeline entries a complainant is told of, with department names.
CREATE FUNCTION progress.look_up(case_number text, code_digest bytea, client text, request_id text,
                                 max_failures integer, lock_for interval)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    branch uuid;
    found_case public.complaints;
    locked timestamptz;
    view jsonb;
    outcome text;
BEGIN
    IF max_failures < 1 OR lock_for <= interval '0' THEN
        RAISE EXCEPTION 'max_failures and lock_for must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF random() < 0.01 THEN
        DELETE FROM progress.lookup_failures f WHERE f.last_failure_at < now() - interval '1 day';
    END IF;
    SELECT b.id INTO branch FROM public.branches b
     WHERE b.code = lower(substring(look_up.case_number FROM '^(.+)-[0-9]{8}-[0-9]{6,}$'));
    IF branch IS NOT NULL THEN
        SELECT c.* INTO found_case FROM public.complaints c
         WHERE c.branch_id = branch AND c.case_number = look_up.case_number;
    END IF;
    SELECT f.locked_until INTO locked FROM progress.lookup_failures f WHERE f.case_number = look_up.case_number;
    IF locked > now() THEN
        outcome := 'locked';
    ELSIF found_case.id IS NOT NULL AND found_case.access_code_digest = code_digest THEN
        outcome := 'found';
        DELETE FROM progress.lookup_failures f WHERE f.case_number = look_up.case_number;
    ELSE
        outcome := 'unknown';
        INSERT INTO progress.lookup_failures AS f (case_number, failures, first_failure_at, locked_until, last_failure_at)
        VALUES (look_up.case_number, 1, now(), CASE WHEN max_failures <= 1 THEN now() + lock_for END, now())
        ON CONFLICT ON CONSTRAINT lookup_failures_pkey DO UPDATE
           SET failures = CASE WHEN f.first_failure_at < now() - lock_for THEN 1 ELSE f.failures + 1 END,
               first_failure_at = CASE WHEN f.first_failure_at < now() - lock_for THEN now() ELSE f.first_failure_at END,
               locked_until = CASE WHEN f.first_failure_at >= now() - lock_for AND f.failures + 1 >= max_failures
                                   THEN now() + lock_for END,
               last_failure_at = now();
    END IF;
    IF branch IS NOT NULL THEN
        INSERT INTO public.audit_log (branch_id, request_id, action, entity, entity_id, after)
        VALUES (branch, look_up.request_id, 'read', 'complaints', found_case.id,
                jsonb_build_object('via', 'public_lookup', 'caseNumber', look_up.case_number, 'client', client,
                                   'outcome', CASE WHEN outcome = 'unknown' AND found_case.id IS NOT NULL THEN 'wrong_code'
                                                   ELSE outcome END));
    END IF;
    IF outcome = 'locked' THEN
        RETURN jsonb_build_object('outcome', 'locked',
                                  'retryAfterSeconds', greatest(1, ceil(extract(epoch FROM locked - now())))::integer);
    ELSIF outcome = 'unknown' THEN
        RETURN jsonb_build_object('outcome', 'unknown');
    END IF;
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
                   jsonb_build_object('milestone', 'preliminary_feedback', 'dueAt', date_trunc('second', found_case.preliminary_feedback_deadline),
                                      'metAt', date_trunc('second', found_case.preliminary_feedback_met_at)),
                   jsonb_build_object('milestone', 'result', 'dueAt', date_trunc('second', found_case.result_deadline),
                                      'metAt', date_trunc('second', found_case.result_met_at))),
               'timeline', coalesce((
                   SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                              'at', date_trunc('second', e.at), 'kind', e.kind,
                              'level', e.after ->> 'level',
                              'promisedBy', e.after ->> 'promisedBy',
                              'department', CASE WHEN e.after ? 'departmentId' THEN
                                  (SELECT d.name FROM public.departments d
                                    WHERE d.branch_id = branch AND d.id::text = e.after ->> 'departmentId') END))
                          ORDER BY e.at, e.id)
                     FROM public.complaint_events e
                    WHERE e.branch_id = branch AND e.complaint_id = found_case.id
                      AND e.kind IN ('received', 'acknowledge', 'grade', 'assign', 'reassign', 'rerouted',
                                     'start_investigation', 'approve_plan', 'start_implementation', 'feed_back_result',
                                     'resolve_on_the_spot', 'start_follow_up', 'record_satisfaction', 'close',
                                     'mark_invalid', 'reopen', 'await_customer', 'resume')), '[]'::jsonb))
      INTO view;
    RETURN jsonb_build_object('outcome', 'found', 'complaint', view);
END
$function$;
REVOKE ALL ON FUNCTION progress.look_up(text, bytea, text, text, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION progress.look_up(text, bytea, text, text, integer, interval) TO redress_service;

-- A new access code replaces the old one and lifts a lock on the case number: the agent who
-- gives the complainant a new code has confirmed who they are.
CREATE FUNCTION progress.forget_failures(case_number text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
BEGIN
    DELETE FROM progress.lookup_failures f WHERE f.case_number = forget_failures.case_number;
END
$function$;
REVOKE ALL ON FUNCTION progress.forget_failures(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION progress.forget_failures(text) TO redress_service;
