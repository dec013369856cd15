-- The complaint report's full computation (both forms, 0039/0043 as 0066 left them) takes a period's
-- complaints, and tells the current period from the previous one, by the local time of receipt in
-- the branch's time zone, as the counts do (0072) and as the KPI figures do since 0075. Bounded by
-- instants alone, a period beginning at a local midnight that comes twice (a clock set back at
-- 01:00, as in Havana on 1 November 2026) counted the complaints of its first midnight hour in the
-- previous period: `date::timestamp AT TIME ZONE` takes an ambiguous local time at the offset
-- after the change. The instants still bound the index scan, a day wider on each side.
--
-- Each function's definition is read back, its three bounds rewritten and the function replaced;
-- the migration fails if a bound is not where 0043 put it.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

DO $$
DECLARE
    form record;
    definition text;
    changed text;
    edit record;
BEGIN
    FOR form IN SELECT * FROM (VALUES ('reports.complaints_in_one_statement', 'bo'),
                                      ('reports.complaints_branch_by_branch', 'home')) AS f (name, alias)
    LOOP
        SELECT pg_get_functiondef(p.oid) INTO definition FROM pg_proc p WHERE p.oid = form.name::regproc;
        changed := definition;
        FOR edit IN SELECT * FROM (VALUES
                ('nullif(b.region, '''') AS region',
                 'nullif(b.region, '''') AS region, b.time_zone'),
                (format('CASE WHEN c.received_at >= %s.period_start THEN', form.alias),
                 format('CASE WHEN (c.received_at AT TIME ZONE %s.time_zone) >= period_from THEN', form.alias)),
                (format('c.received_at >= %1$s.previous_start AND c.received_at < %1$s.period_end', form.alias),
                 format('c.received_at >= %1$s.previous_start - interval ''1 day'' AND c.received_at < %1$s.period_end + interval ''1 day'''
                        ' AND (c.received_at AT TIME ZONE %1$s.time_zone) >= previous_from'
                        ' AND (c.received_at AT TIME ZONE %1$s.time_zone) < period_to + 1', form.alias))) AS e (bound, local)
        LOOP
            IF position(edit.bound IN changed) = 0 THEN
                RAISE EXCEPTION '% does not bound its periods as 0043 left it: % is missing', form.name, edit.bound;
            END IF;
            changed := replace(changed, edit.bound, edit.local);
        END LOOP;
        EXECUTE changed;
    END LOOP;
END
$$;
