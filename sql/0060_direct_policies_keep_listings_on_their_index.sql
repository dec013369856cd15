-- On a schema distributed by Citus, policies call the scope functions directly (Citus refuses a
-- sub-select in a policy; `call_scope_directly`, 0025, and `scope_calls_direct`, 0036). Called
-- directly, `department_id = ANY (scope.department_ids())` is a condition the planner can use on
-- an index, and it judges it to match almost nothing: a department head's newest 50 complaints
-- became a scan of the whole department and a sort, a hundred times the cost (`scripts/bench rls
-- --citus-policies`). Such a membership test is now written `scope.listed('department_ids',
-- department_id)`: whether the identifier is in the setting's text. The planner cannot take it for
-- an index condition, judges it to match a third of the rows, and evaluates it on each row without
-- parsing an array. Exact, because the settings hold lower-case canonical identifiers
-- (`AccessScope.settings`) separated by commas, which no identifier contains; a setting holding
-- upper-case identifiers admits nothing (fails closed). On plain PostgreSQL nothing changes: the policies keep their
-- per-statement sub-selects.

CREATE FUNCTION scope.listed(scope_function text, id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(strpos(current_setting('redress.' || scope_function, true), id::text) > 0, false) $$;

-- A membership test of a scope function's identifiers, and any other read of a scope function, as
-- written in a migration or as `pg_get_expr` prints it (with an alias).
CREATE OR REPLACE FUNCTION public.scope_calls_direct(expression text) RETURNS text
    LANGUAGE sql IMMUTABLE
    RETURN regexp_replace(
        regexp_replace(expression,
                       '([[:alnum:]_.]+)\s*=\s*ANY\s*\(\s*\(\s*SELECT\s+scope\.(\w+)\(\)(?:\s+AS\s+\w+)?\s*\)::uuid\[\]\s*\)',
                       'scope.listed(''\2'', \1)', 'gi'),
        '\(\s*SELECT\s+scope\.(\w+)\(\)(?:\s+AS\s+\w+)?\s*\)(?:::(?:uuid|text)\[\])?', 'scope.\1()', 'gi');

CREATE OR REPLACE FUNCTION public.call_scope_directly(tab regclass) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    policy record;
    rewritten integer := 0;
BEGIN
    FOR policy IN SELECT p.polname, pg_get_expr(p.polqual, p.polrelid) AS using_expression,
                         pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression
                    FROM pg_catalog.pg_policy p WHERE p.polrelid = tab LOOP
        CONTINUE WHEN coalesce(policy.using_expression, '') || coalesce(policy.check_expression, '') !~* '\(\s*SELECT\s+scope\.';
        EXECUTE format('ALTER POLICY %I ON %s', policy.polname, tab)
             || coalesce(' USING (' || public.scope_calls_direct(policy.using_expression) || ')', '')
             || coalesce(' WITH CHECK (' || public.scope_calls_direct(policy.check_expression) || ')', '');
        rewritten := rewritten + 1;
    END LOOP;
    RETURN rewritten;
END
$$;
REVOKE ALL ON FUNCTION public.call_scope_directly(regclass), public.scope_calls_direct(text) FROM PUBLIC;
