-- The public progress lookup with its view read where reports are read. `progress.look_up` admits
-- a lookup and builds its view in one transaction on the primary; with a read replica the service
-- instead admits it on the primary (`progress.admit_lookup`: the lock, the count of wrong codes,
-- the audit entry, and the version of the complaint it admitted), then reads the view on the
-- replica (`progress.admitted_view`), which checks the code again but counts nothing and writes
-- nothing. A replica that does not have the complaint as the primary admitted it (not yet, or not
-- with its new code, its latest step or the statement its complainant just added) answers
-- "unknown", and the primary is asked instead: a complainant reads back what they wrote. So
-- `progress.look_up` (0055) is no longer the only way to read a complaint without a caller.

-- The public view of `found_case`, as `progress.look_up` gives it (0057).
CREATE FUNCTION progress.public_view(found_case public.complaints) RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    branch uuid := found_case.branch_id;
    view jsonb;
BEGIN
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
    RETURN view;
END
$function$;
REVOKE ALL ON FUNCTION progress.public_view(public.complaints) FROM PUBLIC;

-- The version of `found_case` a view shows, as a token any change to it changes: its row's version
-- (`xmin`) and how many timeline entries it has. A physical standby that has replayed the same
-- changes has the same rows, so the same token.
CREATE FUNCTION progress.version(found_case public.complaints) RETURNS text
 LANGUAGE plpgsql
 STABLE
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    row_version text;
    entries bigint;
BEGIN
    SELECT c.xmin::text INTO row_version FROM public.complaints c WHERE c.branch_id = found_case.branch_id AND c.id = found_case.id;
    SELECT count(*) INTO entries FROM public.complaint_events e
     WHERE e.branch_id = found_case.branch_id AND e.complaint_id = found_case.id;
    RETURN row_version || ':' || entries;
END
$function$;
REVOKE ALL ON FUNCTION progress.version(public.complaints) FROM PUBLIC;

-- As 0057 left it, its view from `progress.public_view`.
CREATE OR REPLACE FUNCTION progress.look_up(case_number text, code_digest bytea, client text, request_id text,
                                            max_failures integer, lock_for interval)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    admitted record;
BEGIN
    SELECT * INTO admitted FROM progress.admit(case_number, code_digest, client, request_id, max_failures, lock_for,
                                               'public_lookup');
    IF admitted.refusal IS NOT NULL THEN
        RETURN admitted.refusal;
    END IF;
    RETURN jsonb_build_object('outcome', 'found', 'complaint', progress.public_view(admitted.found_case));
END
$function$;

-- Admits a public lookup as `progress.look_up` does, without its view: {"outcome": "admitted",
-- "version": …} (`progress.version`), or the refusal ("unknown", or "locked" with
-- "retryAfterSeconds").
CREATE FUNCTION progress.admit_lookup(case_number text, code_digest bytea, client text, request_id text,
                                      max_failures integer, lock_for interval)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    admitted record;
BEGIN
    SELECT * INTO admitted FROM progress.admit(case_number, code_digest, client, request_id, max_failures, lock_for,
                                               'public_lookup');
    IF admitted.refusal IS NOT NULL THEN
        RETURN admitted.refusal;
    END IF;
    RETURN jsonb_build_object('outcome', 'admitted', 'version', progress.version(admitted.found_case));
END
$function$;
REVOKE ALL ON FUNCTION progress.admit_lookup(text, bytea, text, text, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION progress.admit_lookup(text, bytea, text, text, integer, interval) TO redress_service;

-- The view of an admitted lookup: {"outcome": "found", "complaint": {…}} when `code_digest` is
-- the access code of the case `case_number` here and, unless `version` is null, the complaint is
-- here at that version; else {"outcome": "unknown"}. Read-only, so that a standby can answer it;
-- it counts no wrong code and records nothing, which the admission on the primary, before it, has
-- done. The service role could call it without one, but that role can already read every
-- complaint by setting its scope: this reveals nothing more.
CREATE FUNCTION progress.admitted_view(case_number text, code_digest bytea, version text)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    branch uuid;
    found_case public.complaints;
BEGIN
    SELECT b.id INTO branch FROM public.branches b
     WHERE b.code = lower(substring(admitted_view.case_number FROM '^(.+)-[0-9]{8}-[0-9]{6,}$'));
    IF branch IS NOT NULL THEN
        SELECT c.* INTO found_case FROM public.complaints c
         WHERE c.branch_id = branch AND c.case_number = admitted_view.case_number;
    END IF;
    IF found_case.id IS NULL OR found_case.access_code_digest IS DISTINCT FROM admitted_view.code_digest
       OR admitted_view.version IS NOT NULL AND admitted_view.version IS DISTINCT FROM progress.version(found_case) THEN
        RETURN jsonb_build_object('outcome', 'unknown');
    END IF;
    RETURN jsonb_build_object('outcome', 'found', 'complaint', progress.public_view(found_case));
END
$function$;
REVOKE ALL ON FUNCTION progress.admitted_view(text, bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION progress.admitted_view(text, bytea, text) TO redress_service;
