-- A session token or API key carries its branch (`rds_<secret>.<branch>`, CredentialSecret), and
-- the service passes it here, so that resolving a credential reads one branch: on Citus a query on
-- one shard instead of a lookup by hash on every shard (docs/scaling.md). A credential issued
-- without its branch is found by its hash first, in every branch, then read the same way.
-- Otherwise as in 0030.
DROP FUNCTION auth.resolve(bytea);
CREATE FUNCTION auth.resolve(credential_hash bytea, branch uuid DEFAULT NULL)
 RETURNS TABLE(credential text, credential_id uuid, user_id uuid, branch_id uuid, branch_code text, login text, name text, roles text[], department_ids uuid[], granted_branch_ids uuid[], expires_at timestamp with time zone)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
#variable_conflict use_column
DECLARE
    home uuid := resolve.branch;
BEGIN
    IF home IS NULL THEN
        SELECT f.branch_id INTO home
          FROM (SELECT s.branch_id FROM public.sessions s WHERE s.token_hash = credential_hash
                UNION ALL
                SELECT k.branch_id FROM public.api_keys k WHERE k.key_hash = credential_hash) f
         LIMIT 1;
        IF home IS NULL THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY
    WITH credential AS (
        SELECT 'session' AS kind, s.id, s.branch_id, s.user_id, s.expires_at
          FROM public.sessions s
         WHERE s.branch_id = home AND s.token_hash = credential_hash AND s.revoked_at IS NULL AND s.expires_at > now()
        UNION ALL
        SELECT 'api_key', k.id, k.branch_id, k.user_id, k.expires_at
          FROM public.api_keys k
         WHERE k.branch_id = home AND k.key_hash = credential_hash AND k.revoked_at IS NULL
           AND (k.expires_at IS NULL OR k.expires_at > now())
    )
    SELECT c.kind, c.id, u.id, u.branch_id, b.code, u.login, u.name, u.roles,
           ARRAY(SELECT DISTINCT d FROM unnest(u.department_ids || ARRAY(
                     SELECT h.id FROM public.departments h
                      WHERE h.branch_id = home AND h.head_user_id = u.id)) AS d),
           ARRAY(SELECT DISTINCT g.granted_branch_id FROM public.hq_grants g
                  WHERE g.branch_id = home AND g.user_id = u.id AND g.role = ANY (u.roles)),
           c.expires_at
      FROM credential c
      JOIN public.users u ON u.branch_id = c.branch_id AND u.id = c.user_id
      JOIN public.branches b ON b.id = u.branch_id
     WHERE u.branch_id = home AND u.active AND (c.kind = 'session' OR u.roles <@ ARRAY['bot'])
     LIMIT 1;
END
$function$;
REVOKE ALL ON FUNCTION auth.resolve(bytea, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.resolve(bytea, uuid) TO redress_service;
