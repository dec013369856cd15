-- The complaints report's full computation (`reports.complaints_in_one_statement`, the form without
-- Citus, for reports the counts do not keep: by department, category, channel and so on) reads the
-- period's complaints by their time of receipt under row-level security. Since 0076 the scan was
-- bounded by `bo.previous_start - interval '1 day'` and `bo.period_end + interval '1 day'`:
-- arithmetic on a column of the bounds, which PostgreSQL does not know to be leakproof, so under
-- the policies the bound could not be an index condition and the scan read every complaint of the
-- branch (a branch manager's monthly report by department read 25,000 pages for its 7,800
-- complaints at 4,000,000 complaints, `scripts/bench scale`). The bounds now compute the widened
-- instants themselves and the scan compares with them alone, which the index takes. The
-- branch-by-branch form (for Citus) takes its bounds from a PL/pgSQL record, as parameters, which
-- need no such care.
--
-- The definition is read back, its bounds rewritten and the function replaced; the migration fails
-- if a bound is not where 0076 put it, or is there more than once.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

DO $$
DECLARE
    definition text;
    changed text;
    edit record;
BEGIN
    SELECT pg_get_functiondef(p.oid) INTO definition FROM pg_proc p WHERE p.oid = 'reports.complaints_in_one_statement'::regproc;
    changed := definition;
    FOR edit IN SELECT * FROM (VALUES
            ('nullif(b.region, '''') AS region, b.time_zone',
             'nullif(b.region, '''') AS region, b.time_zone,'
             ' previous_from::timestamp AT TIME ZONE b.time_zone - interval ''1 day'' AS scan_from,'
             ' (period_to + 1)::timestamp AT TIME ZONE b.time_zone + interval ''1 day'' AS scan_to'),
            ('c.received_at >= bo.previous_start - interval ''1 day'' AND c.received_at < bo.period_end + interval ''1 day''',
             'c.received_at >= bo.scan_from AND c.received_at < bo.scan_to')) AS e (bound, scanned)
    LOOP
        IF (length(changed) - length(replace(changed, edit.bound, ''))) / length(edit.bound) <> 1 THEN
            RAISE EXCEPTION 'reports.complaints_in_one_statement does not bound its scan as 0076 left it: % is not there once', edit.bound;
        END IF;
        changed := replace(changed, edit.bound, edit.scanned);
    END LOOP;
    EXECUTE changed;
END
$$;
