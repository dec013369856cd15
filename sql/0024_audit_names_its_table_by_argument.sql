-- Audit entries name their table by the trigger's argument, not TG_TABLE_NAME. On Citus a row
-- trigger fires on the worker, on a shard whose name is the table's with a suffix
-- (complaints_102008); TG_TABLE_NAME would write that into the trail, and for `branches` it would
-- find no branch. Each `audited` trigger now passes its table's name, and the function refuses
-- to run without it.
CREATE OR REPLACE FUNCTION audit.record_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    audited_table text := TG_ARGV[0];
    -- A child row's copy of its complaint's visibility, and the digests tying the two (0033), are
    -- derived from the complaint's own columns, audited there.
    copied text[] := ARRAY['case_department_id', 'case_collaborating_department_ids', 'case_responsible_user_id', 'case_key',
                           'visibility_key'];
    old_full jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - copied END;
    new_full jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - copied END;
    old_row jsonb := audit.redact(audited_table, old_full);
    new_row jsonb := audit.redact(audited_table, new_full);
    row_data jsonb := coalesce(new_row, old_row);
    branch uuid := CASE WHEN audited_table = 'branches' THEN (row_data ->> 'id')::uuid ELSE (row_data ->> 'branch_id')::uuid END;
    marks jsonb;
BEGIN
    IF audited_table IS NULL THEN
        RAISE EXCEPTION 'audit.record_change needs the name of its table as its argument';
    END IF;
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
    PERFORM audit.append(branch, lower(TG_OP), audited_table,
                         CASE WHEN row_data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (row_data ->> 'id')::uuid
                              WHEN row_data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (row_data ->> 'complaint_id')::uuid END,
                         old_row, new_row);
    RETURN NULL;
END
$$;

-- Every trigger that runs the function is made again with its table's name as the argument. All
-- of them fire AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW; one that does not stops the
-- migration rather than change what it fires on.
DO $$
DECLARE
    trigger record;
BEGIN
    FOR trigger IN SELECT t.tgname, t.tgtype, c.oid::regclass AS audited, c.relname
                     FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
                    WHERE t.tgfoid = 'audit.record_change()'::pg_catalog.regprocedure AND NOT t.tgisinternal LOOP
        -- tgtype 29: row (1) + insert (4) + delete (8) + update (16), after (no before bit).
        IF trigger.tgname <> 'audited' OR trigger.tgtype <> 29 THEN
            RAISE EXCEPTION 'unexpected audit trigger % on % (type %)', trigger.tgname, trigger.audited, trigger.tgtype;
        END IF;
        EXECUTE pg_catalog.format(
            'CREATE OR REPLACE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION audit.record_change(%L)',
            trigger.audited, trigger.relname);
    END LOOP;
    IF EXISTS (SELECT FROM pg_catalog.pg_trigger t
                WHERE t.tgfoid = 'audit.record_change()'::pg_catalog.regprocedure AND NOT t.tgisinternal AND t.tgnargs <> 1) THEN
        RAISE EXCEPTION 'an audit trigger was left without its table''s name';
    END IF;
END
$$;
