-- A complainant looks up their complaint's progress and adds statements to it without signing
-- in, with its case number and the access code they were given at intake.
--
-- The code is stored only as its digest: HMAC-SHA256 of the code under the service's blind-index
-- key (PII_INDEX_KEY), so the database alone cannot tell which code opens a case. Times in the
-- public view are whole seconds. The complaint records the complainant's language and
-- the channel they prefer to be told on.
--
-- `progress.look_up` is the only way to read a complaint without a caller, and
-- `progress.add_statement` the only way to add to one: each acts only when the digest matches
-- (`progress.admit`), counts wrong codes per case number whether or not the case
-- exists (so an unknown case and a wrong code are one answer), locks the case number for
-- `lock_for` once `max_failures` wrong codes came within that time, and records every call in
-- the branch's audit trail (action `read`, no actor, `after.via` `public_lookup` or
-- `public_statement`). Each runs as its own single-statement transaction, so on Citus no other role touches the same placements
-- (docs/scaling.md).

ALTER TABLE complaints
    ADD COLUMN access_code_digest bytea CHECK (length(access_code_digest) = 32),
    ADD COLUMN complainant_language text NOT NULL DEFAULT 'zh-Hans'
        CHECK (complainant_language IN ('zh-Hans', 'zh-Hant', 'en')),
    ADD COLUMN complainant_channel text CHECK (complainant_channel IN ('sms', 'email', 'push', 'online'));
GRANT UPDATE (access_code_digest, complainant_language, complainant_channel) ON complaints TO redress_service;

-- A complainant's own statement is in the communications log with no one of the staff recording it.
ALTER TABLE complaint_communications ALTER COLUMN recorded_by DROP NOT NULL;
ALTER TABLE complaint_communications DROP CONSTRAINT complaint_communications_kind_check;
ALTER TABLE complaint_communications ADD CONSTRAINT complaint_communications_kind_check
    CHECK (kind IN ('confirmation', 'initial_reply', 'progress_update', 'result_feedback', 'follow_up', 'note', 'statement'));
ALTER TABLE complaint_communications ADD CONSTRAINT complaint_communications_recorded
    CHECK (recorded_by IS NOT NULL OR (kind = 'statement' AND direction = 'inbound'));

-- The department's head is told of a complainant's statement like of a routed complaint: a
-- notice alarm (`complainant_statement:<communication id>`) that the scheduler raises moments
-- later, once, paging the head (`scheduler.raise_alarms`, 0051).
ALTER TABLE escalations DROP CONSTRAINT escalations_reason_check;
ALTER TABLE escalations ADD CONSTRAINT escalations_reason_check
    CHECK (reason IN ('plan_approval', 'plan_approval_overdue', 'plan_leadership_approval', 'plan_leadership_approval_overdue',
                      'plan_overdue', 'department_routed', 'reopened', 'statutory_result_overdue', 'handling_plan_missing',
                      'complainant_statement'));

-- The audit trail keeps no access code digest, as it keeps no other credential's hash (0018).
CREATE OR REPLACE FUNCTION audit.hidden_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT ARRAY['password_hash', 'key_hash', 'token_hash', 'secret', 'content', 'complainant_name', 'complainant_phone',
                 'complainant_email', 'complainant_address', 'complainant_sealed', 'complainant_phone_index',
                 'customer_ref', 'description', 'desired_outcome', 'location', 'resolution', 'party',
                 'direct_parties', 'indirect_parties', 'accountability', 'comments', 'note', 'rejection_reason',
                 'access_code_digest']
$$;

CREATE SCHEMA progress;
REVOKE ALL ON SCHEMA progress FROM PUBLIC;
GRANT USAGE ON SCHEMA progress TO redress_service;

-- Wrong codes per case number and client address, counted in windows of `lock_for` from a
-- window's first failure; a row is forgotten a day after its last failure, when that client gives
-- the right code, or when the case gets a new code.
CREATE TABLE progress.lookup_failures (
    case_number     text NOT NULL,
    client          text NOT NULL,
    failures        integer NOT NULL CHECK (failures > 0),
    first_failure_at timestamptz NOT NULL,
    last_failure_at timestamptz NOT NULL,
    PRIMARY KEY (case_number, client)
);
CREATE INDEX lookup_failures_age ON progress.lookup_failures (last_failure_at);
ALTER TABLE progress.lookup_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE progress.lookup_failures FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON progress.lookup_failures TO redress_platform USING (true) WITH CHECK (true)$$);
REVOKE ALL ON progress.lookup_failures FROM PUBLIC;

-- Whether `code_digest` opens the case `case_number`: the complaint, or the refusal to answer instead ({"outcome": "unknown"} for no such case or not
-- this code, one answer for both; {"outcome": "locked", "retryAfterSeconds": n}). A client with
-- `max_failures` wrong codes for a case number within `lock_for` is locked out of it, known or
-- not; the case number is locked for everyone once its wrong codes from all clients reach four
-- times that, so that guessing from many addresses stops too while one stranger alone cannot lock
-- the complainant out. Calls for one case number take turns (a transaction lock on it). Every call
-- that names a branch is recorded in its audit trail (action `read`, no actor, `after.via` saying
-- what was asked). Called only by the functions below.
CREATE FUNCTION progress.admit(case_number text, code_digest bytea, client text, request_id text,
                               max_failures integer, lock_for interval, via text,
                               OUT refusal jsonb, OUT found_case public.complaints)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    branch uuid;
    mine integer;
    everyone integer;
    my_window timestamptz;
    first_window timestamptz;
    outcome text;
BEGIN
    IF max_failures < 1 OR lock_for <= interval '0' THEN
        RAISE EXCEPTION 'max_failures and lock_for must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF random() < 0.01 THEN
        DELETE FROM progress.lookup_failures f WHERE f.last_failure_at < now() - interval '1 day';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('redress.progress|' || admit.case_number, 0));
    SELECT b.id INTO branch FROM public.branches b
     WHERE b.code = lower(substring(admit.case_number FROM '^(.+)-[0-9]{8}-[0-9]{6,}$'));
    IF branch IS NOT NULL THEN
        SELECT c.* INTO found_case FROM public.complaints c
         WHERE c.branch_id = branch AND c.case_number = admit.case_number;
    END IF;
    SELECT coalesce(sum(f.failures) FILTER (WHERE f.client = admit.client), 0), coalesce(sum(f.failures), 0),
           min(f.first_failure_at) FILTER (WHERE f.client = admit.client), min(f.first_failure_at)
      INTO mine, everyone, my_window, first_window
      FROM progress.lookup_failures f
     WHERE f.case_number = admit.case_number AND f.first_failure_at > now() - lock_for;
    IF mine >= max_failures OR everyone >= 4 * max_failures THEN
        outcome := 'locked';
        refusal := jsonb_build_object('outcome', 'locked', 'retryAfterSeconds',
            greatest(1, ceil(extract(epoch FROM CASE WHEN mine >= max_failures THEN my_window ELSE first_window END
                                                + lock_for - now())))::integer);
    ELSIF found_case.id IS NOT NULL AND found_case.access_code_digest = code_digest THEN
        outcome := 'found';
        DELETE FROM progress.lookup_failures f WHERE f.case_number = admit.case_number AND f.client = admit.client;
    ELSE
        outcome := 'unknown';
        refusal := jsonb_build_object('outcome', 'unknown');
        INSERT INTO progress.lookup_failures AS f (case_number, client, failures, first_failure_at, last_failure_at)
        VALUES (admit.case_number, admit.client, 1, now(), now())
        ON CONFLICT ON CONSTRAINT lookup_failures_pkey DO UPDATE
           SET failures = CASE WHEN f.first_failure_at <= now() - lock_for THEN 1 ELSE f.failures + 1 END,
               first_failure_at = CASE WHEN f.first_failure_at <= now() - lock_for THEN now() ELSE f.first_failure_at END,
               last_failure_at = now();
    END IF;
    IF branch IS NOT NULL THEN
        INSERT INTO public.audit_log (branch_id, request_id, action, entity, entity_id, after)
        VALUES (branch, admit.request_id, 'read', 'complaints', found_case.id,
                jsonb_build_object('via', via, 'caseNumber', admit.case_number, 'client', client,
                                   'outcome', CASE WHEN outcome = 'unknown' AND found_case.id IS NOT NULL THEN 'wrong_code'
                                                   ELSE outcome END));
    END IF;
    IF refusal IS NOT NULL THEN
        found_case := NULL;
    END IF;
END
$function$;
REVOKE ALL ON FUNCTION progress.admit(text, bytea, text, text, integer, interval, text) FROM PUBLIC;

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
                                     'mark_invalid', 'reopen', 'await_customer', 'resume', 'statement_received')), '[]'::jsonb))
      INTO view;
    RETURN jsonb_build_object('outcome', 'found', 'complaint', view);
END
$function$;
REVOKE ALL ON FUNCTION progress.look_up(text, bytea, text, text, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION progress.look_up(text, bytea, text, text, integer, interval) TO redress_service;

-- A complainant adds information or a statement to their complaint (their right to state, 001
-- §3.4): an inbound `statement` in the communications log, recorded by nobody on the staff, and
-- a `statement_received` timeline entry; the head of the handling department is told (a
-- `complainant_statement` notice, at most one an hour per complaint: statements that come while
-- one waits are told with it). {"outcome": "added", "communicationId": …, "at": …}, "unknown" or
-- "locked" as for look_up, "too_many" with "retryAfterSeconds" beyond `per_day` statements in 24
-- hours, or "archived" (an archived complaint takes nothing more).
CREATE FUNCTION progress.add_statement(case_number text, code_digest bytea, client text, request_id text,
                                       max_failures integer, lock_for interval, content text, per_day integer DEFAULT 20)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    admitted record;
    found_case public.complaints;
    added public.complaint_communications;
    branch uuid;
    recent integer;
    oldest timestamptz;
    told timestamptz;
    tell_at timestamptz;
BEGIN
    SELECT * INTO admitted FROM progress.admit(case_number, code_digest, client, request_id, max_failures, lock_for,
                                               'public_statement');
    IF admitted.refusal IS NOT NULL THEN
        RETURN admitted.refusal;
    END IF;
    -- Its row locked and read again, so that the statement carries the case's visibility as it is
    -- when it commits, whatever hand-over was under way (0033).
    branch := (admitted.found_case).branch_id;
    SELECT c.* INTO found_case FROM public.complaints c
     WHERE c.branch_id = branch AND c.id = (admitted.found_case).id
       FOR UPDATE;
    IF found_case.status = 'archived' THEN
        RETURN jsonb_build_object('outcome', 'archived');
    END IF;
    SELECT count(*), min(m.at) INTO recent, oldest FROM public.complaint_communications m
     WHERE m.branch_id = found_case.branch_id AND m.complaint_id = found_case.id AND m.kind = 'statement'
       AND m.at > now() - interval '1 day';
    IF recent >= per_day THEN
        RETURN jsonb_build_object('outcome', 'too_many', 'retryAfterSeconds',
                                  greatest(1, ceil(extract(epoch FROM oldest + interval '1 day' - now())))::integer);
    END IF;
    INSERT INTO public.complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by,
                                                 case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    VALUES (found_case.branch_id, found_case.id, 'inbound', 'web', 'statement', add_statement.content, NULL,
            found_case.department_id, found_case.collaborating_department_ids, found_case.responsible_user_id)
    RETURNING * INTO added;
    INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                         case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    VALUES (found_case.branch_id, found_case.id, 'statement_received',
            jsonb_build_object('communicationId', added.id::text, 'channel', 'web'),
            found_case.department_id, found_case.collaborating_department_ids, found_case.responsible_user_id);
    SELECT max(e.recorded_at) INTO told FROM public.escalations e
     WHERE e.branch_id = found_case.branch_id AND e.complaint_id = found_case.id AND e.reason = 'complainant_statement';
    tell_at := greatest(now(), told + interval '1 hour');
    UPDATE public.complaints c
       SET sla_alarm_keys = c.sla_alarm_keys || ('complainant_statement:' || added.id::text),
           sla_alarm_due_at = c.sla_alarm_due_at || tell_at,
           sla_alarm_rungs = c.sla_alarm_rungs || 0::smallint,
           next_alarm_at = least(c.next_alarm_at, tell_at)
     WHERE c.branch_id = found_case.branch_id AND c.id = found_case.id
       AND NOT EXISTS (SELECT FROM unnest(c.sla_alarm_keys) AS k (key)
                        WHERE k.key LIKE 'complainant\_statement:%' AND NOT k.key = ANY (c.sla_alarms_raised));
    RETURN jsonb_build_object('outcome', 'added', 'communicationId', added.id, 'at', date_trunc('second', added.at));
END
$function$;
REVOKE ALL ON FUNCTION progress.add_statement(text, bytea, text, text, integer, interval, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION progress.add_statement(text, bytea, text, text, integer, interval, text, integer) TO redress_service;

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
