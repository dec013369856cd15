-- Reads and exports of personal data are recorded with the caller's own rights, under an insert
-- policy, instead of by a SECURITY DEFINER function: on Citus a definer's write beside the
-- service's reads in one transaction is refused ("cannot perform query on placements that were
-- modified in this transaction by a different user"). The service may insert only the columns it
-- names, only reads and exports, and only as itself in its own scope; the time, the chain fields
-- and `before` stay the table's own.

GRANT INSERT (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, after) ON audit_log TO redress_service;

CREATE POLICY accessed ON audit_log FOR INSERT TO redress_service
    WITH CHECK (action IN ('read', 'export')
                AND branch_id = ANY (scope.branch_ids())
                AND actor_id = scope.user_id()
                AND actor_roles = scope.roles()
                AND request_id IS NOT DISTINCT FROM scope.request_id());

CREATE OR REPLACE FUNCTION audit.record_access(branch uuid, action text, entity text, entity_id uuid, details jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY INVOKER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
#variable_conflict use_column
BEGIN
    IF action NOT IN ('read', 'export') THEN
        RAISE EXCEPTION 'audit.record_access records reads and exports only' USING ERRCODE = '22023';
    END IF;
    IF scope.user_id() IS NULL OR NOT (branch = ANY (scope.branch_ids())) THEN
        RAISE EXCEPTION 'no caller in scope for branch %', branch USING ERRCODE = '42501';
    END IF;
    INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, after)
    VALUES (branch, scope.user_id(), scope.roles(), scope.request_id(), action, entity, entity_id, details);
END
$function$;
