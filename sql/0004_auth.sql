-- Sign-in and credential resolution.
--
-- These functions run as their owner (a member of redress_platform) because they must find a
-- user or a token before any scope exists. They are the only way the service reaches password
-- hashes, token hashes and throttling counters, and each does one narrow thing.
-- Passwords are hashed with bcrypt (pgcrypto's crypt() with a 'bf' salt); tokens and API keys
-- are random 256-bit secrets, so the service stores their SHA-256 only.

CREATE SCHEMA auth;
GRANT USAGE ON SCHEMA auth TO redress_service;

-- Checks a password and, when it matches, opens a session for token_hash.
-- outcome: 'ok', 'invalid' (unknown branch or login, wrong password, inactive or bot user) or
-- 'throttled' (too many failures in a row; retry_after_seconds says how long to wait).
-- Five failures in a row block the login for 1 s, doubling with each further failure up to 15 min.
CREATE FUNCTION auth.sign_in(branch_code text, login text, password text, token_hash bytea,
                             ttl interval, hash_cost integer)
    RETURNS TABLE (outcome text, user_id uuid, branch_id uuid, session_id uuid,
                   expires_at timestamptz, retry_after_seconds integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    found_user record;
    new_session uuid;
    new_expiry timestamptz;
BEGIN
    SELECT u.branch_id, u.id, u.password_hash, u.sign_in_blocked_until
      INTO found_user
      FROM public.users u JOIN public.branches b ON b.id = u.branch_id
     WHERE b.code = sign_in.branch_code AND u.login = sign_in.login
       AND u.active AND u.password_hash IS NOT NULL
       FOR UPDATE OF u;
    IF NOT FOUND THEN
        -- Spend the same work as a real check so timing does not reveal which logins exist.
        PERFORM public.crypt(sign_in.password, public.gen_salt('bf', hash_cost));
        RETURN QUERY SELECT 'invalid', NULL::uuid, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::integer;
        RETURN;
    END IF;
    IF found_user.sign_in_blocked_until > now() THEN
        RETURN QUERY SELECT 'throttled', NULL::uuid, NULL::uuid, NULL::uuid, NULL::timestamptz,
            greatest(1, ceil(extract(epoch FROM found_user.sign_in_blocked_until - now())))::integer;
        RETURN;
    END IF;
    IF public.crypt(sign_in.password, found_user.password_hash) = found_user.password_hash THEN
        UPDATE public.users u SET failed_sign_ins = 0, sign_in_blocked_until = NULL
         WHERE u.branch_id = found_user.branch_id AND u.id = found_user.id;
        INSERT INTO public.sessions AS s (branch_id, user_id, token_hash, expires_at)
             VALUES (found_user.branch_id, found_user.id, sign_in.token_hash, now() + ttl)
          RETURNING s.id, s.expires_at INTO new_session, new_expiry;
        RETURN QUERY SELECT 'ok', found_user.id, found_user.branch_id, new_session, new_expiry, NULL::integer;
        RETURN;
    END IF;
    UPDATE public.users u
       SET failed_sign_ins = u.failed_sign_ins + 1,
           sign_in_blocked_until = CASE WHEN u.failed_sign_ins + 1 >= 5
               THEN now() + make_interval(secs => least(900, power(2, u.failed_sign_ins + 1 - 5)))
           END
     WHERE u.branch_id = found_user.branch_id AND u.id = found_user.id;
    RETURN QUERY SELECT 'invalid', NULL::uuid, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::integer;
END
$$;

-- The caller behind a session token or bot API key hash, or no row when it is unknown, expired,
-- revoked or its user is inactive. department_ids includes the departments the user heads.
CREATE FUNCTION auth.resolve(credential_hash bytea)
    RETURNS TABLE (credential text, credential_id uuid, user_id uuid, branch_id uuid,
                   branch_code text, login text, name text, roles text[], department_ids uuid[],
                   granted_branch_ids uuid[], expires_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    WITH credential AS (
        SELECT 'session' AS kind, s.id, s.branch_id, s.user_id, s.expires_at
          FROM public.sessions s
         WHERE s.token_hash = credential_hash AND s.revoked_at IS NULL AND s.expires_at > now()
        UNION ALL
        SELECT 'api_key', k.id, k.branch_id, k.user_id, k.expires_at
          FROM public.api_keys k
         WHERE k.key_hash = credential_hash AND k.revoked_at IS NULL
           AND (k.expires_at IS NULL OR k.expires_at > now())
    )
    SELECT c.kind, c.id, u.id, u.branch_id, b.code, u.login, u.name, u.roles,
           ARRAY(SELECT DISTINCT d FROM unnest(u.department_ids || ARRAY(
                     SELECT h.id FROM public.departments h
                      WHERE h.branch_id = u.branch_id AND h.head_user_id = u.id)) AS d),
           ARRAY(SELECT g.granted_branch_id FROM public.hq_grants g
                  WHERE g.branch_id = u.branch_id AND g.user_id = u.id),
           c.expires_at
      FROM credential c
      JOIN public.users u ON u.branch_id = c.branch_id AND u.id = c.user_id
      JOIN public.branches b ON b.id = u.branch_id
     WHERE u.active
     LIMIT 1
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA auth FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.sign_in(text, text, text, bytea, interval, integer) TO redress_service;
GRANT EXECUTE ON FUNCTION auth.resolve(bytea) TO redress_service;
