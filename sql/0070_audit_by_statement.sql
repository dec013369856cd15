-- The audit trail written a statement at a time. A row trigger paid two function calls per audited
-- row (`audit.record_change`, then `audit.record_row_change`, then `audit.append`); on plain
-- PostgreSQL each audited table now has three statement triggers, one per event, that read the
-- statement's changed rows from its transition tables and write their entries in one INSERT. The
-- entries are exactly those of the row trigger: one per inserted or deleted row, one per updated
-- row that changed (the changed fields before and after, hidden fields named "changed"), in the
-- order the statement changed the rows; the sealer chains them as before.
--
-- Citus runs no trigger with transition tables on a distributed table, so where the extension is
-- present the row triggers stay, and `redress citus distribute` turns statement triggers back into
-- row triggers first (`audit.audit_by_row`). A migration that adds an audited table creates its
-- row trigger as before (`audited`, `audit.record_change('<table>')`) and then calls
-- `audit.audit_by_statement()`, which turns every such trigger into the three statement triggers
-- where Citus is absent.

-- The entries of one statement's changed rows: `old_rows` and `new_rows` as JSON, in the order
-- the statement changed them (an update's rows paired by `keys`, the table's primary key; an
-- insert or a delete passes no key, so nothing pairs).
CREATE FUNCTION audit.record_rows(audited_table text, operation text, keys text[], old_rows jsonb[], new_rows jsonb[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    -- As audit.record_change (0035): derived columns are audited where they come from.
    copied text[] := ARRAY['case_department_id', 'case_collaborating_department_ids', 'case_responsible_user_id', 'case_key',
                           'visibility_key', 'is_bot', 'user_is_bot', 'holds_hq_grants', 'user_holds_hq_grants'];
BEGIN
    IF operation = 'UPDATE' AND cardinality(old_rows) <> cardinality(new_rows) THEN
        RAISE EXCEPTION 'audit.record_rows: % rows before and % after an update of %', cardinality(old_rows), cardinality(new_rows),
            audited_table;
    END IF;
    INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
    WITH changed AS MATERIALIZED (
        -- Each row before and after, with its position in the statement and its key.
        SELECT coalesce(n.position, o.position) AS position, o.full AS old_full, n.full AS new_full,
               audit.redact(audited_table, o.full) AS old_row, audit.redact(audited_table, n.full) AS new_row
          FROM (SELECT r - copied AS full, p AS position,
                       (SELECT array_agg(r ->> k ORDER BY i) FROM unnest(keys) WITH ORDINALITY AS key (k, i)) AS key
                  FROM unnest(old_rows) WITH ORDINALITY AS o (r, p)) o
          FULL JOIN (SELECT r - copied AS full, p AS position,
                            (SELECT array_agg(r ->> k ORDER BY i) FROM unnest(keys) WITH ORDINALITY AS key (k, i)) AS key
                       FROM unnest(new_rows) WITH ORDINALITY AS n (r, p)) n
            ON n.key = o.key
    ), entries AS (
        SELECT c.position, coalesce(c.new_row, c.old_row) AS row_data,
               CASE WHEN operation = 'UPDATE' THEN coalesce(d.before, '{}'::jsonb) || coalesce(m.marks, '{}'::jsonb) ELSE c.old_row END
                   AS before,
               CASE WHEN operation = 'UPDATE' THEN coalesce(d.after, '{}'::jsonb) || coalesce(m.marks, '{}'::jsonb) ELSE c.new_row END
                   AS after,
               operation <> 'UPDATE' OR d.before IS NOT NULL OR m.marks IS NOT NULL AS recorded
          FROM changed c
          LEFT JOIN LATERAL (SELECT jsonb_object_agg(f.key, 'changed') AS marks
                               FROM jsonb_each(c.old_full) f
                              WHERE c.new_full -> f.key IS DISTINCT FROM f.value
                                AND c.new_row -> f.key IS NOT DISTINCT FROM c.old_row -> f.key) m ON operation = 'UPDATE'
          LEFT JOIN LATERAL (SELECT jsonb_object_agg(f.key, f.value) AS before, jsonb_object_agg(f.key, c.new_row -> f.key) AS after
                               FROM jsonb_each(c.old_row) f
                              WHERE c.new_row -> f.key IS DISTINCT FROM f.value) d ON operation = 'UPDATE'
    )
    SELECT CASE WHEN audited_table = 'branches' THEN (e.row_data ->> 'id')::uuid ELSE (e.row_data ->> 'branch_id')::uuid END,
           scope.user_id(), scope.roles(), scope.request_id(), lower(operation), audited_table,
           CASE WHEN e.row_data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (e.row_data ->> 'id')::uuid
                WHEN e.row_data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (e.row_data ->> 'complaint_id')::uuid END,
           e.before, e.after
      FROM entries e
     WHERE e.recorded
     ORDER BY e.position;
END
$$;
REVOKE ALL ON FUNCTION audit.record_rows(text, text, text[], jsonb[], jsonb[]) FROM PUBLIC;

-- The statement triggers: `TG_ARGV[0]` names the table (a trigger on a shard must not read
-- TG_TABLE_NAME), `TG_ARGV[1]` its primary key's columns, comma-separated.
CREATE FUNCTION audit.record_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF TG_ARGV[0] IS NULL THEN
        RAISE EXCEPTION 'audit.record_inserted needs the name of its table as its argument';
    END IF;
    PERFORM audit.record_rows(TG_ARGV[0], 'INSERT', '{}', '{}', (SELECT array_agg(to_jsonb(n)) FROM new_rows n));
    RETURN NULL;
END
$$;

CREATE FUNCTION audit.record_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF TG_ARGV[0] IS NULL OR TG_ARGV[1] IS NULL THEN
        RAISE EXCEPTION 'audit.record_updated needs the name of its table and its key as its arguments';
    END IF;
    PERFORM audit.record_rows(TG_ARGV[0], 'UPDATE', string_to_array(TG_ARGV[1], ','),
                              (SELECT array_agg(to_jsonb(o)) FROM old_rows o), (SELECT array_agg(to_jsonb(n)) FROM new_rows n));
    RETURN NULL;
END
$$;

CREATE FUNCTION audit.record_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF TG_ARGV[0] IS NULL THEN
        RAISE EXCEPTION 'audit.record_deleted needs the name of its table as its argument';
    END IF;
    PERFORM audit.record_rows(TG_ARGV[0], 'DELETE', '{}', (SELECT array_agg(to_jsonb(o)) FROM old_rows o), '{}');
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
        SELECT t.tgrelid::regclass AS audited_table, convert_from(rtrim(t.tgargs, '\x00'::bytea), 'UTF8') AS name,
               (SELECT string_agg(a.attname, ',' ORDER BY k.position)
                  FROM pg_catalog.pg_constraint c
                 CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k (attnum, position)
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                 WHERE c.conrelid = t.tgrelid AND c.contype = 'p') AS key
          FROM pg_catalog.pg_trigger t
         WHERE t.tgfoid = 'audit.record_change()'::regprocedure AND NOT t.tgisinternal AND t.tgname = 'audited'
         ORDER BY 1
    LOOP
        IF audited.key IS NULL THEN
            RAISE EXCEPTION '% has no primary key to pair its updated rows by', audited.audited_table;
        END IF;
        EXECUTE format('DROP TRIGGER audited ON %s', audited.audited_table);
        EXECUTE format('CREATE TRIGGER audited_inserts AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit.record_inserted(%L)', audited.audited_table, audited.name);
        EXECUTE format('CREATE TRIGGER audited_updates AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit.record_updated(%L, %L)', audited.audited_table, audited.name, audited.key);
        EXECUTE format('CREATE TRIGGER audited_deletes AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit.record_deleted(%L)', audited.audited_table, audited.name);
    END LOOP;
END
$$;

-- The statement triggers become the row trigger again (for Citus).
CREATE FUNCTION audit.audit_by_row() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    audited record;
BEGIN
    FOR audited IN
        SELECT t.tgrelid::regclass AS audited_table, convert_from(substring(t.tgargs FROM 1 FOR position('\x00'::bytea IN t.tgargs) - 1), 'UTF8')
                   AS name
          FROM pg_catalog.pg_trigger t
         WHERE t.tgfoid = 'audit.record_inserted()'::regprocedure AND NOT t.tgisinternal
         ORDER BY 1
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS audited_inserts ON %s', audited.audited_table);
        EXECUTE format('DROP TRIGGER IF EXISTS audited_updates ON %s', audited.audited_table);
        EXECUTE format('DROP TRIGGER IF EXISTS audited_deletes ON %s', audited.audited_table);
        EXECUTE format('CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION audit.record_change(%L)',
                       audited.audited_table, audited.name);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION audit.audit_by_statement(), audit.audit_by_row() FROM PUBLIC;

SELECT audit.audit_by_statement();
