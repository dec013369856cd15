-- The scheduler's own role, a complete audit trail, and retention that leaves nothing behind.
--
-- 1. redress_scheduler: the background work (escalations, re-paging, follow-ups, webhook delivery,
--    sealing the audit trail, retention, recomputing stale deadlines) runs as this role, not as
--    the API's redress_service. The scheduler functions cross every branch and hand out webhook
--    secrets, so the API's role can no longer call them; it is not a member of this role either.
-- 2. The audit trail names every changed column, hidden ones included ({"password_hash": "changed"},
--    never the value), records timeline events and sessions (sign-in, sign-out; never the token
--    hash), and leaves out the free text of case work.
-- 3. Retention erases every free text a complaint's case work keeps, evidence content (its hash
--    stays), and the copies older audit entries hold. The hash chain stays verifiable: an entry's
--    hash covers a SHA-256 digest of its before and after, kept beside them, so erasing the values
--    later leaves the hash and the digest intact.
--
-- Every function here pins search_path with pg_temp last and names every relation with its schema.

-- 1. The scheduler's role ---------------------------------------------------------------------

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'redress_scheduler') THEN
        CREATE ROLE redress_scheduler NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
DO $$
BEGIN
    IF pg_has_role('redress_service', 'redress_scheduler', 'MEMBER') THEN
        REVOKE redress_scheduler FROM redress_service;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public, scope, scheduler, audit, retention TO redress_scheduler;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA scope TO redress_scheduler;

-- The API's role loses every scheduler function, sealing and retention.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA scheduler FROM PUBLIC, redress_service;
REVOKE USAGE ON SCHEMA scheduler FROM redress_service;
REVOKE EXECUTE ON FUNCTION audit.seal(integer) FROM PUBLIC, redress_service;
REVOKE EXECUTE ON FUNCTION retention.apply(interval, interval, boolean, integer) FROM PUBLIC, redress_service;
REVOKE USAGE ON SCHEMA retention FROM redress_service;
-- Functions the owner adds to the scheduler schema later are not executable by everyone either.
ALTER DEFAULT PRIVILEGES IN SCHEMA scheduler REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

GRANT EXECUTE ON FUNCTION scheduler.escalate_due(integer), scheduler.repage_due(integer),
    scheduler.escalate_follow_ups(integer), scheduler.next_due(), scheduler.stale_branches(),
    scheduler.claim_deliveries(integer, integer),
    scheduler.record_delivery(uuid, uuid, integer, timestamptz, integer, integer, text, timestamptz),
    scheduler.next_delivery(), audit.seal(integer), retention.apply(interval, interval, boolean, integer)
    TO redress_scheduler;

-- Recomputing stale deadlines runs in Swift with the system scope of one branch: it reads the
-- complaint, its branch's time zone, calendar, policies and the complaint's pauses, and stores
-- the new schedule. Only those columns, only within the branch the scope names.
GRANT SELECT, UPDATE (sla_policy_id, sla_deadlines, sla_completed, due_at, next_escalation_tier, next_escalation_at,
                      escalation_due_at, sla_stale) ON public.complaints TO redress_scheduler;
GRANT SELECT (id, time_zone) ON public.branches TO redress_scheduler;
GRANT SELECT (branch_id, hours, holidays, make_up_days) ON public.branch_calendars TO redress_scheduler;
GRANT SELECT (branch_id, id, name, document, active) ON public.sla_policies TO redress_scheduler;
GRANT SELECT (branch_id, complaint_id, started_at, ended_at) ON public.complaint_pauses TO redress_scheduler;
CREATE POLICY scheduled ON public.complaints FOR SELECT TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[]));
CREATE POLICY rescheduled ON public.complaints FOR UPDATE TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[]));
CREATE POLICY scheduled ON public.branches FOR SELECT TO redress_scheduler
    USING (id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY scheduled ON public.branch_calendars FOR SELECT TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY scheduled ON public.sla_policies FOR SELECT TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY scheduled ON public.complaint_pauses FOR SELECT TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));

-- Readiness reports how far the scheduler fleet is behind; the API's role asks here, not in the
-- scheduler schema. Only a time is returned.
CREATE FUNCTION public.next_scheduled_work() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$ SELECT scheduler.next_due() $$;
REVOKE ALL ON FUNCTION public.next_scheduled_work() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.next_scheduled_work() TO redress_service, redress_scheduler;

-- 2. The audit trail --------------------------------------------------------------------------

-- Columns the audit trail never copies, in every table: secrets, evidence content, the customer's
-- personal data and every free text of a complaint and its case work.
CREATE OR REPLACE FUNCTION audit.hidden_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT ARRAY['password_hash', 'key_hash', 'token_hash', 'secret', 'content', 'complainant_name', 'complainant_phone',
                 'complainant_email', 'complainant_address', 'complainant_sealed', 'complainant_phone_index',
                 'customer_ref', 'description', 'desired_outcome', 'location', 'resolution', 'party',
                 'direct_parties', 'indirect_parties', 'accountability', 'comments', 'note', 'rejection_reason']
$$;

-- The same, plus columns whose names mean free text in one table only (a finding's summary, where
-- evidence came from and who collected it, a hand-over's reason; a page's summary, a complaint's
-- source and the reason a timeline event gives are not).
CREATE FUNCTION audit.hidden_columns(entity text) RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT audit.hidden_columns() || CASE entity
        WHEN 'complaint_findings' THEN ARRAY['summary']
        WHEN 'complaint_evidence' THEN ARRAY['source', 'collected_by']
        WHEN 'complaint_handovers' THEN ARRAY['reason']
        ELSE '{}'::text[] END
$$;

-- `data` without the `hidden` fields that hold a value (a field marked "changed" names a change
-- without its value, and stays).
CREATE FUNCTION audit.without(data jsonb, hidden text[]) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT data - coalesce((SELECT array_agg(f.key) FROM jsonb_each(data) f
                             WHERE f.key = ANY (hidden) AND f.value <> '"changed"'::jsonb), '{}'::text[])
$$;

-- A row (or a row's changed fields) as the audit trail may keep it: without hidden columns, and
-- without hidden fields inside a timeline event's before and after values.
CREATE FUNCTION audit.redact(entity text, data jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT CASE WHEN data IS NULL OR jsonb_typeof(data) <> 'object' THEN data ELSE
        audit.without(data, audit.hidden_columns(entity))
        || CASE WHEN jsonb_typeof(data -> 'before') = 'object'
                THEN jsonb_build_object('before', audit.without(data -> 'before', audit.hidden_columns())) ELSE '{}'::jsonb END
        || CASE WHEN jsonb_typeof(data -> 'after') = 'object'
                THEN jsonb_build_object('after', audit.without(data -> 'after', audit.hidden_columns())) ELSE '{}'::jsonb END
    END
$$;

-- The row trigger: the row without hidden data; for an update, the fields that changed, before
-- and after, and every changed field the trail may not copy named with "changed" instead of a
-- value, so a password reset or an erasure leaves an entry of its own. Timeline events (whose
-- ids are numbers) name their complaint.
CREATE OR REPLACE FUNCTION audit.record_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    old_full jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_full jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    old_row jsonb := audit.redact(TG_TABLE_NAME, old_full);
    new_row jsonb := audit.redact(TG_TABLE_NAME, new_full);
    row_data jsonb := coalesce(new_row, old_row);
    branch uuid := CASE WHEN TG_TABLE_NAME = 'branches' THEN (row_data ->> 'id')::uuid ELSE (row_data ->> 'branch_id')::uuid END;
    marks jsonb;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(f.key, 'changed') INTO marks
          FROM jsonb_each(old_full) f
         WHERE new_full -> f.key IS DISTINCT FROM f.value
           AND new_row -> f.key IS NOT DISTINCT FROM old_row -> f.key;
        SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, new_row -> o.key)
          INTO old_row, new_row
          FROM jsonb_each(old_row) o
         WHERE new_row -> o.key IS DISTINCT FROM o.value;
        IF marks IS NOT NULL THEN
            old_row := coalesce(old_row, '{}'::jsonb) || marks;
            new_row := coalesce(new_row, '{}'::jsonb) || marks;
        END IF;
        IF old_row IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM audit.append(branch, lower(TG_OP), TG_TABLE_NAME,
                         CASE WHEN row_data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (row_data ->> 'id')::uuid
                              WHEN row_data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (row_data ->> 'complaint_id')::uuid END,
                         old_row, new_row);
    RETURN NULL;
END
$$;

-- Timeline events and sessions (sign-in creates one, sign-out revokes it) are audited too.
CREATE OR REPLACE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON public.complaint_events
    FOR EACH ROW EXECUTE FUNCTION audit.record_change();
CREATE OR REPLACE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON public.sessions
    FOR EACH ROW EXECUTE FUNCTION audit.record_change();

-- The hash chain, second form. An entry sealed from now on keeps `content_sha256`, the SHA-256 of
-- its before and after, and its hash covers that digest instead of the values themselves. Erasing
-- the values later (`erased_at`) keeps the digest, so the entry's hash and its place in the chain
-- still verify. Entries sealed before this migration (no digest) were hashed over their values:
-- they verify as before until erased; once erased, only their place in the chain is checked, and
-- the erasure entry (sealed in the same chain) names them with the digest of what they held.
ALTER TABLE public.audit_log
    ADD COLUMN content_sha256 bytea CHECK (length(content_sha256) = 32),
    ADD COLUMN erased_at timestamptz;

CREATE FUNCTION audit.content_digest(before jsonb, after jsonb) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$ SELECT sha256(convert_to(coalesce(before::text, '-') || '|' || coalesce(after::text, '-'), 'UTF8')) $$;

-- The text a second-form entry's hash covers: every field, the content's digest, then the
-- previous entry's hash.
CREATE FUNCTION audit.sealed_text(a public.audit_log, seq bigint, prev_hash bytea, digest bytea) RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT concat_ws('|', a.branch_id::text, seq::text, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     coalesce(a.actor_id::text, '-'), array_to_string(a.actor_roles, ','), coalesce(a.request_id, '-'), a.action,
                     a.entity, coalesce(a.entity_id::text, '-'), 'sha256:' || encode(digest, 'hex'),
                     coalesce(encode(prev_hash, 'hex'), '-'))
$$;

CREATE OR REPLACE FUNCTION audit.seal(batch integer) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    branch uuid;
    entry public.audit_log;
    tip_seq bigint;
    tip_hash bytea;
    digest bytea;
    sealed integer := 0;
BEGIN
    FOR branch IN SELECT DISTINCT u.branch_id FROM public.audit_log u WHERE u.seq IS NULL LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('redress.audit.' || branch::text, 0));
        SELECT a.seq, a.hash INTO tip_seq, tip_hash FROM public.audit_log a
         WHERE a.branch_id = branch AND a.seq IS NOT NULL ORDER BY a.seq DESC LIMIT 1;
        FOR entry IN SELECT * FROM public.audit_log a WHERE a.branch_id = branch AND a.seq IS NULL
                      ORDER BY a.id LIMIT batch - sealed FOR UPDATE LOOP
            tip_seq := coalesce(tip_seq, 0) + 1;
            digest := audit.content_digest(entry.before, entry.after);
            entry.hash := sha256(convert_to(audit.sealed_text(entry, tip_seq, tip_hash, digest), 'UTF8'));
            UPDATE public.audit_log SET seq = tip_seq, prev_hash = tip_hash, hash = entry.hash, content_sha256 = digest
             WHERE branch_id = entry.branch_id AND id = entry.id;
            tip_hash := entry.hash;
            sealed := sealed + 1;
        END LOOP;
        EXIT WHEN sealed >= batch;
    END LOOP;
    RETURN sealed;
END
$$;

CREATE OR REPLACE FUNCTION audit.verify()
    RETURNS TABLE (branch_id uuid, seq bigint, id bigint, problem text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT DISTINCT ON (c.branch_id) c.branch_id, c.seq, c.id,
           CASE WHEN c.seq <> coalesce(c.previous_seq, 0) + 1 THEN 'entries missing before it'
                WHEN c.prev_hash IS DISTINCT FROM c.previous_hash THEN 'previous hash does not match'
                ELSE 'content does not match its hash' END
      FROM (SELECT a AS entry, a.branch_id, a.seq, a.id, a.prev_hash, a.hash, a.before, a.after, a.content_sha256, a.erased_at,
                   lag(a.seq) OVER w AS previous_seq, lag(a.hash) OVER w AS previous_hash
              FROM public.audit_log a WHERE a.seq IS NOT NULL
            WINDOW w AS (PARTITION BY a.branch_id ORDER BY a.seq)) c
     WHERE c.seq <> coalesce(c.previous_seq, 0) + 1
        OR c.prev_hash IS DISTINCT FROM c.previous_hash
        OR CASE WHEN c.content_sha256 IS NOT NULL THEN
                    c.hash <> sha256(convert_to(audit.sealed_text(c.entry, c.seq, c.prev_hash, c.content_sha256), 'UTF8'))
                    OR (c.erased_at IS NULL AND c.content_sha256 <> audit.content_digest(c.before, c.after))
                WHEN c.erased_at IS NOT NULL THEN false
                ELSE c.hash <> sha256(convert_to(audit.entry_text(c.entry, c.seq, c.prev_hash), 'UTF8')) END
     ORDER BY c.branch_id, c.seq
$$;

-- Erases what the trail may no longer copy from the entries about one complaint and its case
-- work (written before the list of hidden columns grew), and records the erasure as an entry of
-- its own naming the entries and the digest of what each held. Owner only; retention calls it.
CREATE FUNCTION audit.erase_copies(branch uuid, complaint uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    erased jsonb;
    erased_count integer;
BEGIN
    WITH related AS (
        SELECT complaint AS id
        UNION ALL SELECT f.id FROM public.complaint_findings f WHERE f.branch_id = branch AND f.complaint_id = complaint
        UNION ALL SELECT p.id FROM public.complaint_plans p WHERE p.branch_id = branch AND p.complaint_id = complaint
        UNION ALL SELECT s.id FROM public.complaint_surveys s WHERE s.branch_id = branch AND s.complaint_id = complaint
        UNION ALL SELECT e.id FROM public.complaint_evidence e WHERE e.branch_id = branch AND e.complaint_id = complaint
        UNION ALL SELECT m.id FROM public.complaint_communications m WHERE m.branch_id = branch AND m.complaint_id = complaint
        UNION ALL SELECT h.id FROM public.complaint_handovers h WHERE h.branch_id = branch AND h.complaint_id = complaint
        UNION ALL SELECT p.id FROM public.complaint_pauses p WHERE p.branch_id = branch AND p.complaint_id = complaint
    ), changed AS (
        UPDATE public.audit_log a
           SET before = audit.redact(a.entity, a.before), after = audit.redact(a.entity, a.after), erased_at = now()
         WHERE a.branch_id = branch AND a.entity_id IN (SELECT r.id FROM related r)
           AND (a.before IS DISTINCT FROM audit.redact(a.entity, a.before) OR a.after IS DISTINCT FROM audit.redact(a.entity, a.after))
        RETURNING a.id, a.seq, a.hash, a.content_sha256
    )
    SELECT count(*)::integer,
           coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'seq', c.seq, 'hash', encode(c.hash, 'hex'))
                              ORDER BY c.id), '[]'::jsonb)
      INTO erased_count, erased
      FROM changed c;
    IF erased_count > 0 THEN
        PERFORM audit.append(branch, 'update', 'audit_log', complaint, NULL,
                             jsonb_build_object('erased', erased_count, 'entries', erased, 'reason', 'retention'));
    END IF;
    RETURN erased_count;
END
$$;
REVOKE ALL ON FUNCTION audit.erase_copies(uuid, uuid) FROM PUBLIC;

-- 3. Retention --------------------------------------------------------------------------------

-- Evidence content may be erased (its size and hash stay); nothing else about evidence changes.
ALTER TABLE public.complaint_evidence ADD COLUMN content_erased_at timestamptz;
ALTER TABLE public.complaint_evidence DROP CONSTRAINT IF EXISTS complaint_evidence_check,
                                      DROP CONSTRAINT IF EXISTS complaint_evidence_check1;
ALTER TABLE public.complaint_evidence ADD CONSTRAINT complaint_evidence_content_matches
    CHECK ((content_erased_at IS NOT NULL AND content IS NULL)
           OR (size = coalesce(length(content), 0) AND sha256 = sha256(coalesce(content, ''::bytea))));

-- Evidence stays immutable, except for an erasure made by the erasure functions below (which set
-- `redress.evidence_erasure` for their own statements): content gone, the erasure time set, the
-- free text that names people replaced, everything else (type, size, hash, dates) unchanged.
CREATE OR REPLACE FUNCTION public.refuse_evidence_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    erasable text[] := ARRAY['content', 'content_erased_at', 'source', 'description', 'collected_by'];
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('redress.evidence_erasure', true) = 'on'
       AND NEW.content IS NULL AND NEW.content_erased_at IS NOT NULL
       AND (to_jsonb(NEW) - erasable) = (to_jsonb(OLD) - erasable) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'evidence is immutable once recorded'
        USING ERRCODE = 'insufficient_privilege', TABLE = 'complaint_evidence';
END
$$;

-- A timeline value with its hidden fields emptied.
CREATE FUNCTION retention.erased_values(data jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT CASE WHEN jsonb_typeof(data) <> 'object' THEN data ELSE
        data || coalesce((SELECT jsonb_object_agg(k, NULL::text) FROM jsonb_object_keys(data) k
                           WHERE k = ANY (audit.hidden_columns())), '{}'::jsonb) END
$$;

-- Erases everything that identifies the customer or the people involved in one complaint: the
-- complaint's personal data and free text, the text of its communications, findings, plans,
-- survey comments, timeline notes and values, hand-over reasons, evidence content and its
-- description, source and collector, and the copies older audit entries hold. Counts, dates,
-- scores and hashes stay. Owner only; `retention.apply` calls it for each complaint it erases.
CREATE FUNCTION retention.erase_complaint(branch uuid, complaint uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    erased text := 'erased after the retention period';
BEGIN
    UPDATE public.complaints c
       SET complainant_sealed = NULL, complainant_key_id = NULL, complainant_phone_index = NULL, complainant_name = NULL,
           complainant_phone = NULL, complainant_email = NULL, complainant_address = NULL, customer_ref = NULL,
           description = erased, desired_outcome = NULL, location = NULL, resolution = NULL, party = NULL,
           erased_at = coalesce(c.erased_at, now()), updated_at = now()
     WHERE c.branch_id = branch AND c.id = complaint;
    UPDATE public.complaint_communications m SET content = erased
     WHERE m.branch_id = branch AND m.complaint_id = complaint AND m.content <> erased;
    UPDATE public.complaint_findings f
       SET summary = erased, direct_parties = '{}', indirect_parties = '{}', accountability = NULL
     WHERE f.branch_id = branch AND f.complaint_id = complaint AND f.summary <> erased;
    UPDATE public.complaint_plans p SET description = erased, rejection_reason = NULL
     WHERE p.branch_id = branch AND p.complaint_id = complaint AND p.description <> erased;
    UPDATE public.complaint_surveys s SET comments = NULL
     WHERE s.branch_id = branch AND s.complaint_id = complaint AND s.comments IS NOT NULL;
    UPDATE public.complaint_events e
       SET note = NULL, before = retention.erased_values(e.before), after = retention.erased_values(e.after)
     WHERE e.branch_id = branch AND e.complaint_id = complaint
       AND (e.note IS NOT NULL OR e.before IS DISTINCT FROM retention.erased_values(e.before)
            OR e.after IS DISTINCT FROM retention.erased_values(e.after));
    UPDATE public.complaint_handovers h SET reason = NULL
     WHERE h.branch_id = branch AND h.complaint_id = complaint AND h.reason IS NOT NULL;
    PERFORM set_config('redress.evidence_erasure', 'on', true);
    UPDATE public.complaint_evidence v
       SET content = NULL, content_erased_at = coalesce(v.content_erased_at, now()), source = 'erased', description = NULL,
           collected_by = 'erased'
     WHERE v.branch_id = branch AND v.complaint_id = complaint
       AND (v.content_erased_at IS NULL OR v.source <> 'erased' OR v.description IS NOT NULL);
    PERFORM set_config('redress.evidence_erasure', 'off', true);
    PERFORM audit.erase_copies(branch, complaint);
END
$$;
REVOKE ALL ON FUNCTION retention.erase_complaint(uuid, uuid) FROM PUBLIC;

-- An operator erases one piece of evidence's content before the retention period ends (a copy
-- of an ID card that should never have been kept, say): the content goes, its size and SHA-256
-- stay, and the erasure is on the complaint's timeline and in the audit trail. Returns false
-- when there is no such evidence. Owner and operators (redress_platform) only.
CREATE FUNCTION retention.erase_evidence(branch uuid, evidence uuid) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    complaint uuid;
BEGIN
    PERFORM set_config('redress.evidence_erasure', 'on', true);
    UPDATE public.complaint_evidence v SET content = NULL, content_erased_at = coalesce(v.content_erased_at, now())
     WHERE v.branch_id = branch AND v.id = evidence
    RETURNING v.complaint_id INTO complaint;
    PERFORM set_config('redress.evidence_erasure', 'off', true);
    IF complaint IS NULL THEN
        RETURN false;
    END IF;
    INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after)
    VALUES (branch, complaint, 'evidence_erased', jsonb_build_object('evidenceId', evidence::text));
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION retention.erase_evidence(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention.erase_evidence(uuid, uuid) TO redress_platform;

-- Archives closed complaints and erases expired ones as before (`sql/0016_retention.sql`); each
-- erasure now goes through `retention.erase_complaint`.
CREATE OR REPLACE FUNCTION retention.apply(archive_after interval, erase_after interval, dry_run boolean, batch integer DEFAULT 1000)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, case_number text, action text, closed_at timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
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
             WHERE c.status IN ('closed', 'archived') AND c.closed_at IS NOT NULL
               AND ((c.status = 'closed' AND c.closed_at < now() - archive_after
                     AND NOT EXISTS (SELECT FROM public.follow_ups f
                                      WHERE f.branch_id = c.branch_id AND f.complaint_id = c.id AND f.status = 'due'))
                    OR (c.closed_at < now() - erase_after AND c.erased_at IS NULL))
             ORDER BY c.closed_at
             LIMIT batch
               FOR UPDATE SKIP LOCKED) d;
    IF NOT dry_run THEN
        UPDATE public.complaints c SET status = 'archived', updated_at = now()
          FROM unnest(due_branches, due_ids) AS d (branch_id, id)
         WHERE c.branch_id = d.branch_id AND c.id = d.id AND c.status <> 'archived';
        FOR i IN 1 .. coalesce(array_length(due_ids, 1), 0) LOOP
            IF due_actions[i] = 'erase' THEN
                PERFORM retention.erase_complaint(due_branches[i], due_ids[i]);
            END IF;
        END LOOP;
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after)
        SELECT d.branch_id, d.id, CASE d.action WHEN 'erase' THEN 'erased' ELSE 'archived' END, jsonb_build_object('reason', 'retention')
          FROM unnest(due_branches, due_ids, due_actions) AS d (branch_id, id, action);
    END IF;
    RETURN QUERY SELECT d.branch_id, d.id, d.case_number, d.action, d.closed_at
                   FROM unnest(due_branches, due_ids, due_cases, due_actions, due_closed) AS d (branch_id, id, case_number, action, closed_at);
END
$$;
REVOKE ALL ON FUNCTION retention.apply(interval, interval, boolean, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention.apply(interval, interval, boolean, integer) TO redress_scheduler;

-- Complaints erased before this migration keep case-work text and audit copies that the first
-- form of retention left: erase them now.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT x.branch_id, x.id FROM public.complaints x WHERE x.erased_at IS NOT NULL LOOP
        PERFORM retention.erase_complaint(c.branch_id, c.id);
    END LOOP;
END
$$;
