-- The tamper-evident audit trail.
--
-- Every write to a tenant table is appended to `audit_log` by a trigger, so no code path can
-- forget it: who (from the transaction's scope settings), which roles, which request, what
-- (insert, update, delete), on which row, before and after (secrets and evidence content left
-- out). The service also records reads of customer personal data and exports through
-- `audit.record_access`. Entries are appended by owner-defined functions only: the service role
-- can neither write audit rows directly nor change or delete them.
--
-- Each branch's entries form a hash chain: `audit.seal` (run by the scheduler) gives each new
-- entry the next number of its branch's chain, the previous entry's hash, and its own SHA-256
-- over its content and that previous hash. Sealing after commit keeps writers concurrent (no lock
-- on the chain while a transaction runs). `audit.verify` recomputes every chain and names the
-- first entry that does not match.

CREATE SCHEMA audit;
GRANT USAGE ON SCHEMA audit TO redress_service;

-- The request being served, for audit entries (set with the scope, per transaction).
CREATE FUNCTION scope.request_id() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('redress.request_id', true), '') $$;
REVOKE ALL ON FUNCTION scope.request_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scope.request_id() TO redress_service;

CREATE TABLE audit_log (
    branch_id    uuid NOT NULL,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id     uuid,
    actor_roles  text[] NOT NULL DEFAULT '{}',
    request_id   text,
    action       text NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'read', 'export')),
    entity       text NOT NULL,
    entity_id    uuid,
    before       jsonb,
    after        jsonb,
    seq          bigint,
    prev_hash    bytea,
    hash         bytea,
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, seq),
    CHECK ((seq IS NULL) = (hash IS NULL))
);
CREATE INDEX audit_log_unsealed ON audit_log (branch_id, id) WHERE seq IS NULL;
CREATE INDEX audit_log_entity ON audit_log (branch_id, entity, entity_id, id);
CREATE INDEX audit_log_at ON audit_log (branch_id, at DESC, id DESC);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY platform ON audit_log TO redress_platform USING (true) WITH CHECK (true);
-- Auditors read the trail of the branches they audit.
CREATE POLICY audited ON audit_log FOR SELECT TO redress_service
    USING ('auditor' = ANY ((SELECT scope.roles())::text[]) AND branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[]));
GRANT SELECT ON audit_log TO redress_service;

-- Appends one entry for the current transaction's caller.
CREATE FUNCTION audit.append(branch uuid, action text, entity text, entity_id uuid, before jsonb, after jsonb) RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
    VALUES (branch, scope.user_id(), scope.roles(), scope.request_id(), action, entity, entity_id, before, after)
$$;

-- The row trigger on every tenant table: the row without secrets or evidence content; for an
-- update, only the fields that changed, before and after.
CREATE FUNCTION audit.record_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    hidden text[] := ARRAY['password_hash', 'key_hash', 'token_hash', 'secret', 'content'];
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - hidden END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - hidden END;
    row_data jsonb := coalesce(new_row, old_row);
    branch uuid := CASE WHEN TG_TABLE_NAME = 'branches' THEN (row_data ->> 'id')::uuid ELSE (row_data ->> 'branch_id')::uuid END;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, new_row -> o.key)
          INTO old_row, new_row
          FROM jsonb_each(old_row) o
         WHERE new_row -> o.key IS DISTINCT FROM o.value;
        IF old_row IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM audit.append(branch, lower(TG_OP), TG_TABLE_NAME,
                         CASE WHEN row_data ? 'id' AND row_data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (row_data ->> 'id')::uuid END,
                         old_row, new_row);
    RETURN NULL;
END
$$;

DO $$
DECLARE
    audited text;
BEGIN
    FOREACH audited IN ARRAY ARRAY['branches', 'users', 'departments', 'hq_grants', 'api_keys', 'categories', 'routing_rules',
                                   'complaints', 'complaint_handovers', 'complaint_communications', 'complaint_evidence',
                                   'complaint_findings', 'complaint_plans', 'complaint_surveys', 'branch_calendars', 'sla_policies',
                                   'complaint_pauses', 'escalations', 'pages', 'webhooks']
    LOOP
        EXECUTE format('CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION audit.record_change()',
                       audited);
    END LOOP;
END
$$;

-- What the service records itself: a read of customer personal data or an export, in the
-- caller's name (the scope settings), never with the data itself.
CREATE FUNCTION audit.record_access(branch uuid, action text, entity text, entity_id uuid, details jsonb) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
BEGIN
    IF action NOT IN ('read', 'export') THEN
        RAISE EXCEPTION 'audit.record_access records reads and exports only' USING ERRCODE = '22023';
    END IF;
    IF scope.user_id() IS NULL OR NOT (branch = ANY (scope.branch_ids())) THEN
        RAISE EXCEPTION 'no caller in scope for branch %', branch USING ERRCODE = '42501';
    END IF;
    PERFORM audit.append(branch, action, entity, entity_id, NULL, details);
END
$$;

-- The text an entry's hash covers: every field, then the previous entry's hash.
CREATE FUNCTION audit.entry_text(a public.audit_log, seq bigint, prev_hash bytea) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT concat_ws('|', a.branch_id::text, seq::text, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     coalesce(a.actor_id::text, '-'), array_to_string(a.actor_roles, ','), coalesce(a.request_id, '-'), a.action,
                     a.entity, coalesce(a.entity_id::text, '-'), coalesce(a.before::text, '-'), coalesce(a.after::text, '-'),
                     coalesce(encode(prev_hash, 'hex'), '-'))
$$;

-- Seals up to `batch` committed entries, branch by branch, in the order they were appended;
-- returns how many. Concurrent sealers of one branch take turns (an advisory lock per branch).
CREATE FUNCTION audit.seal(batch integer) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    branch uuid;
    entry public.audit_log;
    tip_seq bigint;
    tip_hash bytea;
    sealed integer := 0;
BEGIN
    FOR branch IN SELECT DISTINCT u.branch_id FROM public.audit_log u WHERE u.seq IS NULL LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('redress.audit.' || branch::text, 0));
        SELECT a.seq, a.hash INTO tip_seq, tip_hash FROM public.audit_log a
         WHERE a.branch_id = branch AND a.seq IS NOT NULL ORDER BY a.seq DESC LIMIT 1;
        FOR entry IN SELECT * FROM public.audit_log a WHERE a.branch_id = branch AND a.seq IS NULL
                      ORDER BY a.id LIMIT batch - sealed FOR UPDATE LOOP
            tip_seq := coalesce(tip_seq, 0) + 1;
            entry.seq := tip_seq;
            entry.prev_hash := tip_hash;
            entry.hash := sha256(convert_to(audit.entry_text(entry, tip_seq, tip_hash), 'UTF8'));
            UPDATE public.audit_log SET seq = entry.seq, prev_hash = entry.prev_hash, hash = entry.hash
             WHERE branch_id = entry.branch_id AND id = entry.id;
            tip_hash := entry.hash;
            sealed := sealed + 1;
        END LOOP;
        EXIT WHEN sealed >= batch;
    END LOOP;
    RETURN sealed;
END
$$;

-- Every sealed entry whose chain breaks: its number is not the next, its previous hash is not the
-- hash of the entry before it, or its own hash does not match its content. The first per branch
-- is where tampering (or loss) begins.
CREATE FUNCTION audit.verify()
    RETURNS TABLE (branch_id uuid, seq bigint, id bigint, problem text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    SELECT DISTINCT ON (c.branch_id) c.branch_id, c.seq, c.id,
           CASE WHEN c.seq <> coalesce(c.previous_seq, 0) + 1 THEN 'entries missing before it'
                WHEN c.prev_hash IS DISTINCT FROM c.previous_hash THEN 'previous hash does not match'
                ELSE 'content does not match its hash' END
      FROM (SELECT a AS entry, a.branch_id, a.seq, a.id, a.prev_hash, a.hash,
                   lag(a.seq) OVER w AS previous_seq, lag(a.hash) OVER w AS previous_hash
              FROM public.audit_log a WHERE a.seq IS NOT NULL
            WINDOW w AS (PARTITION BY a.branch_id ORDER BY a.seq)) c
     WHERE c.seq <> coalesce(c.previous_seq, 0) + 1
        OR c.prev_hash IS DISTINCT FROM c.previous_hash
        OR c.hash <> sha256(convert_to(audit.entry_text(c.entry, c.seq, c.prev_hash), 'UTF8'))
     ORDER BY c.branch_id, c.seq
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA audit FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.record_access(uuid, text, text, uuid, jsonb), audit.seal(integer) TO redress_service;
