-- Two rules for a schema distributed by branch on Citus (docs/scaling.md).
--
-- A department's head is cleared by the service when it deletes that user (UserStore.delete),
-- not by `ON DELETE SET NULL (head_user_id)`: Citus refuses SET NULL and SET DEFAULT actions on
-- foreign keys that hold the distribution column.
ALTER TABLE departments DROP CONSTRAINT departments_branch_id_head_user_id_fkey;
ALTER TABLE departments ADD CONSTRAINT departments_branch_id_head_user_id_fkey
    FOREIGN KEY (branch_id, head_user_id) REFERENCES users (branch_id, id);

-- Rewrites a table's policies with their scope functions called directly, `scope.branch_ids()`,
-- instead of read in a sub-select, `(SELECT scope.branch_ids())::uuid[]` (as
-- `CitusDistribution.direct` does for `redress citus distribute`): Citus distributes no table whose
-- policies hold a sub-select.
CREATE FUNCTION public.call_scope_directly(tab regclass) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    policy record;
    rewritten integer := 0;
    scope_call text := '\(\s*SELECT scope\.(\w+)\(\) AS \w+\)(?:::(?:uuid|text)\[\])?';
BEGIN
    FOR policy IN SELECT p.polname, pg_get_expr(p.polqual, p.polrelid) AS using_expression,
                         pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression
                    FROM pg_catalog.pg_policy p WHERE p.polrelid = tab LOOP
        CONTINUE WHEN coalesce(policy.using_expression, '') || coalesce(policy.check_expression, '') !~ scope_call;
        EXECUTE format('ALTER POLICY %I ON %s', policy.polname, tab)
             || coalesce(' USING (' || regexp_replace(policy.using_expression, scope_call, 'scope.\1()', 'g') || ')', '')
             || coalesce(' WITH CHECK (' || regexp_replace(policy.check_expression, scope_call, 'scope.\1()', 'g') || ')', '');
        rewritten := rewritten + 1;
    END LOOP;
    RETURN rewritten;
END
$$;
REVOKE ALL ON FUNCTION public.call_scope_directly(regclass) FROM PUBLIC;

-- A tenant table that a later migration creates is distributed in that migration, in a statement
-- after its CREATE TABLE: `SELECT public.distribute_by_branch('public.new_table');`, its foreign
-- keys to other tables added after that (Citus refuses a local table's key to a distributed
-- one). On a Citus
-- coordinator whose schema `redress citus distribute` has distributed, it becomes a distributed
-- table colocated with `complaints` (otherwise Citus would leave it a local table that no
-- foreign key of a distributed table may reference). On plain PostgreSQL, and on Citus before
-- that command ran, it does nothing and answers false.
CREATE FUNCTION public.distribute_by_branch(tab regclass) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    anchor_distributed boolean;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1)'
       INTO anchor_distributed USING 'public.complaints'::regclass;
    IF NOT anchor_distributed THEN
        RETURN false;
    END IF;
    -- Its policies call the scope functions directly, as `redress citus distribute` made the others do.
    PERFORM public.call_scope_directly(tab);
    EXECUTE 'SELECT pg_catalog.create_distributed_table($1, ''branch_id'', colocate_with => ''public.complaints'')' USING tab;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION public.distribute_by_branch(regclass) FROM PUBLIC;
