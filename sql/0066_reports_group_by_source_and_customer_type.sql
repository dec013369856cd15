-- Reports group by a complaint's source (`groupBy=source`: internal, external, institutional) and
-- by its customer type (`groupBy=customer_type`), 001 §2.2.3 and §1.1.2. Both forms of the report
-- (0039, 0043) get the two keys in their grouping expression and nothing else: each function's
-- definition is read back, the two keys added after the region's, and the function replaced; the
-- migration fails if an expression is not where 0043 put it. A source or customer type is its own
-- label (reports.label's default).
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

DO $$
DECLARE
    form record;
    definition text;
    changed text;
BEGIN
    FOR form IN SELECT * FROM (VALUES ('reports.complaints_in_one_statement', 'WHEN ''region'' THEN bo.region'),
                                      ('reports.complaints_branch_by_branch', 'WHEN ''region'' THEN home.region')) AS f (name, region)
    LOOP
        SELECT pg_get_functiondef(p.oid) INTO definition FROM pg_proc p WHERE p.oid = form.name::regproc;
        changed := replace(definition, form.region,
                           form.region || ' WHEN ''source'' THEN c.source WHEN ''customer_type'' THEN c.customer_type');
        IF changed = definition OR position('WHEN ''source''' IN definition) > 0 THEN
            RAISE EXCEPTION '% does not group as 0043 left it', form.name;
        END IF;
        EXECUTE changed;
    END LOOP;
END
$$;
