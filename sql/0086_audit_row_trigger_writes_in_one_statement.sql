-- The row trigger of the audit trail (`audited`, the form Citus runs: 0070, 0077) does less per row,
-- for the same entries:
-- - each entry is written by one statement, its fields computed inside the INSERT;
-- - an update's changed fields are found by one pass over the new row, each field looked up in
--   the old one, instead of joining the fields of both;
-- - an insert or delete keeps the row with operators on the whole of it (the hidden fields not
--   marked "changed" removed, a `before` or `after` object kept as audit.kept_object keeps it)
--   instead of audit.kept field by field; what it keeps is what audit.kept keeps;
-- - the lists of hidden and copied fields are inlined into the statements that read them: a
--   pinned search path (`SET search_path`) kept PostgreSQL from inlining them, so each row paid
--   four calls that each set and restored the path. They name no relation and qualify each
--   operator (`OPERATOR(pg_catalog.||)`), so no search path changes what they return; a later
--   change of a list must keep them so.
--
-- Best of three on the same data, 20,000 rows in one statement: an update of complaints (one of
-- the scheduler's escalation writes) took 1.61 s without the audit trail, 5.90 s with 0077's row
-- trigger and 5.04 s with this one; an insert of timeline entries 0.41 s, 2.18 s and 1.77 s.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE OR REPLACE FUNCTION audit.hidden_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT ARRAY['password_hash', 'key_hash', 'token_hash', 'secret', 'content', 'complainant_name', 'complainant_phone',
                 'complainant_email', 'complainant_address', 'complainant_sealed', 'complainant_phone_index',
                 'customer_ref', 'description', 'desired_outcome', 'location', 'resolution', 'party',
                 'direct_parties', 'indirect_parties', 'accountability', 'comments', 'note', 'rejection_reason',
                 'access_code_digest', 'signing_secret', 'search_text', 'search_pairs']::pg_catalog.text[]
$$;

CREATE OR REPLACE FUNCTION audit.hidden_columns(entity text) RETURNS text[]
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT audit.hidden_columns() OPERATOR(pg_catalog.||) CASE
        WHEN entity OPERATOR(pg_catalog.=) 'complaint_findings' THEN ARRAY['summary']::pg_catalog.text[]
        WHEN entity OPERATOR(pg_catalog.=) 'complaint_evidence' THEN ARRAY['source', 'collected_by']::pg_catalog.text[]
        WHEN entity OPERATOR(pg_catalog.=) 'complaint_handovers' THEN ARRAY['reason']::pg_catalog.text[]
        WHEN entity OPERATOR(pg_catalog.=) 'institutional_referrals' THEN ARRAY['reply']::pg_catalog.text[]
        WHEN entity OPERATOR(pg_catalog.=) 'complaint_dealings' THEN ARRAY['party', 'summary']::pg_catalog.text[]
        ELSE '{}'::pg_catalog.text[] END
$$;

CREATE OR REPLACE FUNCTION audit.copied_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT ARRAY['case_department_id', 'case_collaborating_department_ids', 'case_responsible_user_id', 'case_key', 'visibility_key',
                 'is_bot', 'user_is_bot', 'holds_hq_grants', 'user_holds_hq_grants']::pg_catalog.text[]
$$;

-- As 0077's, with each event's entry written by one INSERT. An update that changed nothing the
-- trail keeps (no field changed, or only fields left out of it unmarked) inserts no row, as before.
CREATE OR REPLACE FUNCTION audit.record_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    hidden text[];
    common text[];
    old_full jsonb;
    new_full jsonb;
BEGIN
    IF coalesce(TG_ARGV[0], '') = '' THEN
        RAISE EXCEPTION 'audit.record_change needs the name of its table as its argument';
    END IF;
    hidden := audit.hidden_columns(TG_ARGV[0]);
    common := audit.hidden_columns();
    IF TG_OP <> 'INSERT' THEN
        old_full := to_jsonb(OLD) - audit.copied_columns();
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_full := to_jsonb(NEW) - audit.copied_columns();
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- The fields that changed, before and after, as the trail keeps them; each changed field it
        -- does not keep is named with "changed".
        INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
        SELECT (new_full ->> 'branch_id')::uuid, scope.user_id(), scope.roles(), scope.request_id(), 'update', TG_ARGV[0],
               CASE WHEN new_full ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (new_full ->> 'id')::uuid
                    WHEN new_full ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (new_full ->> 'complaint_id')::uuid END,
               coalesce(d.before, '{}'::jsonb) || coalesce(d.marks, '{}'::jsonb),
               coalesce(d.after, '{}'::jsonb) || coalesce(d.marks, '{}'::jsonb)
          FROM (SELECT jsonb_object_agg(c.key, c.old_kept) FILTER (WHERE c.old_kept IS NOT NULL AND c.old_kept IS DISTINCT FROM c.new_kept)
                           AS before,
                       jsonb_object_agg(c.key, c.new_kept) FILTER (WHERE c.old_kept IS NOT NULL AND c.old_kept IS DISTINCT FROM c.new_kept)
                           AS after,
                       jsonb_object_agg(c.key, 'changed') FILTER (WHERE c.old_kept IS NOT DISTINCT FROM c.new_kept) AS marks
                  FROM (SELECT n.key, audit.kept(n.key, old_full -> n.key, hidden, common) AS old_kept,
                               audit.kept(n.key, n.value, hidden, common) AS new_kept
                          FROM jsonb_each(new_full) n
                         WHERE n.value IS DISTINCT FROM old_full -> n.key) c) d
         WHERE d.before IS NOT NULL OR d.marks IS NOT NULL;
    ELSE
        INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
        SELECT (r.data ->> 'branch_id')::uuid, scope.user_id(), scope.roles(), scope.request_id(), lower(TG_OP), TG_ARGV[0],
               CASE WHEN r.data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (r.data ->> 'id')::uuid
                    WHEN r.data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (r.data ->> 'complaint_id')::uuid END,
               CASE WHEN TG_OP = 'DELETE' THEN k.kept_row END,
               CASE WHEN TG_OP = 'INSERT' THEN k.kept_row END
          FROM (SELECT coalesce(new_full, old_full) AS data) r
         CROSS JOIN LATERAL (
            -- What audit.kept keeps of each field, with operators on the whole row: the hidden
            -- fields not marked "changed" removed, a `before` or `after` object as kept_object keeps it.
            SELECT (r.data - ARRAY(SELECT h FROM unnest(hidden) AS h
                                    WHERE r.data -> h IS DISTINCT FROM '"changed"'::jsonb
                                      AND NOT (h IN ('before', 'after') AND jsonb_typeof(r.data -> h) = 'object')))
                   || CASE WHEN jsonb_typeof(r.data -> 'before') = 'object'
                           THEN jsonb_build_object('before', audit.kept_object(r.data -> 'before', common)) ELSE '{}'::jsonb END
                   || CASE WHEN jsonb_typeof(r.data -> 'after') = 'object'
                           THEN jsonb_build_object('after', audit.kept_object(r.data -> 'after', common)) ELSE '{}'::jsonb END
                   AS kept_row) k;
    END IF;
    RETURN NULL;
END
$$;
