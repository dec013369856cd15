-- The audit trail written a statement at a time. A row trigger paid three function calls per
-- audited row (`audit.record_change`, `audit.record_row_change`, `audit.append`); on plain
-- PostgreSQL each audited table now has three statement triggers, one per event, that read the
-- statement's changed rows from its transition tables and write their entries in one INSERT. The
-- entries are those of the row trigger: one per inserted or deleted row, one per updated row that
-- changed (the changed fields before and after, hidden fields named "changed"), in the order the
-- statement changed the rows; the sealer chains them as before. One order differs: what a row
-- trigger of the statement writes to another audited table (a follow-up queued as a complaint's
-- result is fed back) is entered when it is written, before the statement's own entries, which
-- are entered as the statement ends.
--
-- Citus runs no trigger with transition tables on a distributed table, so where the extension is
-- present the row triggers stay, and `redress citus distribute` turns statement triggers back into
-- row triggers first (`audit.audit_by_row`). A migration that adds an audited table creates its
-- row trigger as before (`audited`, `audit.record_change('<table>')`) and then calls
-- `audit.audit_by_statement()`, which turns every such trigger into the three statement triggers
-- where Citus is absent.

-- What every audit entry leaves out of its row: a child row's copy of its complaint's visibility,
-- the digests tying the two, and the marks that a user is a bot or holds HQ grants, audited where
-- they come from (as audit.record_change, 0035).
CREATE FUNCTION audit.copied_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT ARRAY['case_department_id', 'case_collaborating_department_ids', 'case_responsible_user_id', 'case_key', 'visibility_key',
                 'is_bot', 'user_is_bot', 'holds_hq_grants', 'user_holds_hq_grants']
$$;

-- A timeline entry's `before` or `after` object as the trail keeps it: without the fields of
-- `common`, unless they hold the mark "changed".
CREATE FUNCTION audit.kept_object(value jsonb, common text[]) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT value - ARRAY(SELECT h FROM unnest(common) AS h WHERE value -> h IS DISTINCT FROM '"changed"'::jsonb)
$$;

-- A value as the trail keeps it, or NULL when it is left out: audit.redact (0018) for one field.
-- A field of `hidden` is left out unless it holds the mark "changed"; a `before` or `after` object
-- is kept as audit.kept_object keeps it. One expression without a sub-select or a pinned path, so
-- that PostgreSQL inlines it into the statement that calls it (a sub-select, or a per-field call
-- of a SQL function, cost more than the rest of the entry).
CREATE FUNCTION audit.kept(field text, value jsonb, hidden text[], common text[]) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE WHEN field IN ('before', 'after') AND pg_catalog.jsonb_typeof(value) = 'object'
                THEN audit.kept_object(value, common)
                WHEN field OPERATOR(pg_catalog.=) ANY (hidden) AND value IS DISTINCT FROM '"changed"'::jsonb THEN NULL
                ELSE value END
$$;

-- The statement triggers: `TG_ARGV[0]` names the table (a trigger on a shard must not read
-- TG_TABLE_NAME). Each
-- reads its transition tables in one INSERT, so a statement's rows stream into the trail in the
-- order the statement changed them. The branch of an entry is its row's `branch_id` (a branch's
-- own row is never audited by trigger: 0035); its entity id the row's `id`, else its
-- `complaint_id`, when a UUID.
CREATE FUNCTION audit.record_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    copied text[] := audit.copied_columns();
    hidden text[] := audit.hidden_columns(TG_ARGV[0]);
    common text[] := audit.hidden_columns();
BEGIN
    IF coalesce(TG_ARGV[0], '') = '' THEN
        RAISE EXCEPTION 'audit.record_inserted needs the name of its table as its argument';
    END IF;
    INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
    WITH inserted AS MATERIALIZED (
        SELECT to_jsonb(n) - copied AS data, row_number() OVER () AS position FROM new_rows n
    )
    SELECT (r.data ->> 'branch_id')::uuid, scope.user_id(), scope.roles(), scope.request_id(), 'insert', TG_ARGV[0],
           CASE WHEN r.data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (r.data ->> 'id')::uuid
                WHEN r.data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (r.data ->> 'complaint_id')::uuid END,
           NULL, (SELECT jsonb_object_agg(f.key, audit.kept(f.key, f.value, hidden, common))
                    FROM jsonb_each(r.data) f WHERE audit.kept(f.key, f.value, hidden, common) IS NOT NULL)
      FROM inserted r
     ORDER BY r.position;
    RETURN NULL;
END
$$;

CREATE FUNCTION audit.record_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    copied text[] := audit.copied_columns();
    hidden text[] := audit.hidden_columns(TG_ARGV[0]);
    common text[] := audit.hidden_columns();
BEGIN
    IF coalesce(TG_ARGV[0], '') = '' THEN
        RAISE EXCEPTION 'audit.record_deleted needs the name of its table as its argument';
    END IF;
    INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
    WITH deleted AS MATERIALIZED (
        SELECT to_jsonb(o) - copied AS data, row_number() OVER () AS position FROM old_rows o
    )
    SELECT (r.data ->> 'branch_id')::uuid, scope.user_id(), scope.roles(), scope.request_id(), 'delete', TG_ARGV[0],
           CASE WHEN r.data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (r.data ->> 'id')::uuid
                WHEN r.data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (r.data ->> 'complaint_id')::uuid END,
           (SELECT jsonb_object_agg(f.key, audit.kept(f.key, f.value, hidden, common))
              FROM jsonb_each(r.data) f WHERE audit.kept(f.key, f.value, hidden, common) IS NOT NULL), NULL
      FROM deleted r
     ORDER BY r.position;
    RETURN NULL;
END
$$;

-- An update's rows before and after are paired in the order the statement changed them:
-- PostgreSQL appends each updated row's old and new versions to the two transition tables
-- together, so the n-th row of one is the n-th of the other, whether or not its key changed. Each
-- pair that changed gives one entry: the fields that changed, before and after, as the trail keeps
-- them, and every changed field it does not keep named with "changed" instead of its value.
CREATE FUNCTION audit.record_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    SET work_mem = '64MB'
    AS $$
DECLARE
    copied text[] := audit.copied_columns();
    hidden text[] := audit.hidden_columns(TG_ARGV[0]);
    common text[] := audit.hidden_columns();
BEGIN
    IF coalesce(TG_ARGV[0], '') = '' THEN
        RAISE EXCEPTION 'audit.record_updated needs the name of its table as its argument';
    END IF;
    INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
    WITH old_full AS MATERIALIZED (
        SELECT to_jsonb(o) - copied AS data, row_number() OVER () AS position FROM old_rows o
    ), new_full AS MATERIALIZED (
        SELECT to_jsonb(n) - copied AS data, row_number() OVER () AS position FROM new_rows n
    ), paired AS (
        SELECT o.data AS old_full, n.data AS new_full, n.position
          FROM old_full o JOIN new_full n ON n.position = o.position
    ), entries AS (
        SELECT p.position, p.new_full AS data,
               coalesce(d.before, '{}'::jsonb) || coalesce(d.marks, '{}'::jsonb) AS before,
               coalesce(d.after, '{}'::jsonb) || coalesce(d.marks, '{}'::jsonb) AS after,
               d.before IS NOT NULL OR d.marks IS NOT NULL AS recorded
          FROM paired p
         CROSS JOIN LATERAL (
            SELECT jsonb_object_agg(c.key, c.old_kept) FILTER (WHERE c.old_kept IS NOT NULL AND c.old_kept IS DISTINCT FROM c.new_kept)
                       AS before,
                   jsonb_object_agg(c.key, c.new_kept) FILTER (WHERE c.old_kept IS NOT NULL AND c.old_kept IS DISTINCT FROM c.new_kept)
                       AS after,
                   jsonb_object_agg(c.key, 'changed') FILTER (WHERE c.old_kept IS NOT DISTINCT FROM c.new_kept) AS marks
              FROM (SELECT o.key, audit.kept(o.key, o.value, hidden, common) AS old_kept,
                           audit.kept(o.key, n.value, hidden, common) AS new_kept
                      FROM jsonb_each(p.old_full) o JOIN jsonb_each(p.new_full) n ON n.key = o.key
                     WHERE n.value IS DISTINCT FROM o.value) c) d
    )
    SELECT (e.data ->> 'branch_id')::uuid, scope.user_id(), scope.roles(), scope.request_id(), 'update', TG_ARGV[0],
           CASE WHEN e.data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (e.data ->> 'id')::uuid
                WHEN e.data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (e.data ->> 'complaint_id')::uuid END,
           e.before, e.after
      FROM entries e
     WHERE e.recorded
     ORDER BY e.position;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION audit.record_inserted(), audit.record_updated(), audit.record_deleted() FROM PUBLIC;

-- Every row trigger `audited` becomes the three statement triggers, unless Citus is present.
CREATE FUNCTION audit.audit_by_statement() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    audited record;
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RETURN;
    END IF;
    FOR audited IN
        SELECT t.tgrelid::regclass AS audited_table, t.tgnargs, split_part(encode(t.tgargs, 'escape'), '\000', 1) AS name
          FROM pg_catalog.pg_trigger t
         WHERE t.tgfoid = 'audit.record_change()'::regprocedure AND NOT t.tgisinternal AND t.tgname = 'audited'
         ORDER BY 1
    LOOP
        IF audited.tgnargs <> 1 OR audited.name = '' THEN
            RAISE EXCEPTION 'the audit trigger of % does not name its table', audited.audited_table;
        END IF;
        EXECUTE format('DROP TRIGGER audited ON %s', audited.audited_table);
        EXECUTE format('CREATE OR REPLACE TRIGGER audited_inserts AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit.record_inserted(%L)', audited.audited_table, audited.name);
        EXECUTE format('CREATE OR REPLACE TRIGGER audited_updates AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit.record_updated(%L)', audited.audited_table, audited.name);
        EXECUTE format('CREATE OR REPLACE TRIGGER audited_deletes AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit.record_deleted(%L)', audited.audited_table, audited.name);
    END LOOP;
END
$$;

-- The statement triggers become the row trigger again (for Citus), on every table with any of them.
CREATE FUNCTION audit.audit_by_row() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    audited record;
BEGIN
    FOR audited IN
        SELECT DISTINCT t.tgrelid::regclass AS audited_table, split_part(encode(t.tgargs, 'escape'), '\000', 1) AS name
          FROM pg_catalog.pg_trigger t
         WHERE t.tgfoid IN ('audit.record_inserted()'::regprocedure, 'audit.record_updated()'::regprocedure,
                            'audit.record_deleted()'::regprocedure)
           AND NOT t.tgisinternal
         ORDER BY 1
    LOOP
        IF audited.name = '' THEN
            RAISE EXCEPTION 'an audit trigger of % does not name its table', audited.audited_table;
        END IF;
        EXECUTE format('DROP TRIGGER IF EXISTS audited_inserts ON %s', audited.audited_table);
        EXECUTE format('DROP TRIGGER IF EXISTS audited_updates ON %s', audited.audited_table);
        EXECUTE format('DROP TRIGGER IF EXISTS audited_deletes ON %s', audited.audited_table);
        EXECUTE format('CREATE OR REPLACE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
                       'EXECUTE FUNCTION audit.record_change(%L)', audited.audited_table, audited.name);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION audit.audit_by_statement(), audit.audit_by_row() FROM PUBLIC;

SELECT audit.audit_by_statement();
