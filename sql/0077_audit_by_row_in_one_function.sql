-- The row trigger of the audit trail (`audited`, used where Citus runs no statement trigger with
-- transition tables: 0070) writes its entry itself, as the statement triggers do, instead of
-- through three calls (`audit.record_change`, `audit.record_row_change`, `audit.append`) and
-- `audit.redact`'s per-row sub-selects. The entry is the statement triggers' (0070), computed from
-- the one changed row with the same expressions: `audit.kept` is inlined into the trigger's
-- statements, and the hidden fields are read once per call. `audit.record_row_change` stays, for
-- the owner's functions that change a row without a trigger (0035).
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE OR REPLACE FUNCTION audit.record_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    hidden text[];
    common text[];
    old_full jsonb;
    new_full jsonb;
    data jsonb;
    before jsonb;
    after jsonb;
    marks jsonb;
    kept_row jsonb;
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
    data := coalesce(new_full, old_full);
    IF TG_OP = 'UPDATE' THEN
        -- The fields that changed, before and after, as the trail keeps them; each changed field it
        -- does not keep is named with "changed". An update that changed nothing leaves no entry.
        SELECT jsonb_object_agg(c.key, c.old_kept) FILTER (WHERE c.old_kept IS NOT NULL AND c.old_kept IS DISTINCT FROM c.new_kept),
               jsonb_object_agg(c.key, c.new_kept) FILTER (WHERE c.old_kept IS NOT NULL AND c.old_kept IS DISTINCT FROM c.new_kept),
               jsonb_object_agg(c.key, 'changed') FILTER (WHERE c.old_kept IS NOT DISTINCT FROM c.new_kept)
          INTO before, after, marks
          FROM (SELECT o.key, audit.kept(o.key, o.value, hidden, common) AS old_kept,
                       audit.kept(o.key, n.value, hidden, common) AS new_kept
                  FROM jsonb_each(old_full) o JOIN jsonb_each(new_full) n ON n.key = o.key
                 WHERE n.value IS DISTINCT FROM o.value) c;
        IF before IS NULL AND marks IS NULL THEN
            RETURN NULL;
        END IF;
        before := coalesce(before, '{}'::jsonb) || coalesce(marks, '{}'::jsonb);
        after := coalesce(after, '{}'::jsonb) || coalesce(marks, '{}'::jsonb);
    ELSE
        SELECT jsonb_object_agg(f.key, audit.kept(f.key, f.value, hidden, common))
          INTO kept_row
          FROM jsonb_each(data) f WHERE audit.kept(f.key, f.value, hidden, common) IS NOT NULL;
        IF TG_OP = 'INSERT' THEN
            after := kept_row;
        ELSE
            before := kept_row;
        END IF;
    END IF;
    INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
    VALUES ((data ->> 'branch_id')::uuid, scope.user_id(), scope.roles(), scope.request_id(), lower(TG_OP), TG_ARGV[0],
            CASE WHEN data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (data ->> 'id')::uuid
                 WHEN data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (data ->> 'complaint_id')::uuid END,
            before, after);
    RETURN NULL;
END
$$;
