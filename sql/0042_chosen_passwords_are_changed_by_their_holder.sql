-- A password somebody else chose for a person (an operator's one-time password for a new branch's
-- first admin, or an admin's when they ask for it) is changed by its holder before anything else:
-- until then their session shows who they are, changes the password and signs out, nothing more
-- (the service reads the mark through auth.resolve). People change their own password through
-- auth.change_password, which checks the current one and counts a wrong one as a failed sign-in.

ALTER TABLE public.users ADD COLUMN password_change_required boolean NOT NULL DEFAULT false;
ALTER TABLE public.users ADD CONSTRAINT users_password_change_needs_a_password
    CHECK (NOT password_change_required OR password_hash IS NOT NULL) NOT VALID;
GRANT SELECT (password_change_required), INSERT (password_change_required), UPDATE (password_change_required)
   ON public.users TO redress_service;

-- The caller behind a credential, as 0037 resolves it, and whether they must change their password.
DROP FUNCTION auth.resolve(bytea, uuid);
CREATE FUNCTION auth.resolve(credential_hash bytea, branch uuid DEFAULT NULL)
 RETURNS TABLE(credential text, credential_id uuid, user_id uuid, branch_id uuid, branch_code text, login text, name text, roles text[],
               department_ids uuid[], granted_branch_ids uuid[], expires_at timestamp with time zone, password_change_required boolean)
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
           c.expires_at, u.password_change_required
      FROM credential c
      JOIN public.users u ON u.branch_id = c.branch_id AND u.id = c.user_id
      JOIN public.branches b ON b.id = u.branch_id
     WHERE u.branch_id = home AND u.active AND (c.kind = 'session' OR u.roles <@ ARRAY['bot'])
     LIMIT 1;
END
$function$;
REVOKE ALL ON FUNCTION auth.resolve(bytea, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.resolve(bytea, uuid) TO redress_service;

-- The bcrypt setting (algorithm, cost and salt) of the password of the person signed in with the
-- session `credential_hash` of `branch`, for the service to hash the current password they
-- present; NULL for anything but a working session of an active person.
CREATE FUNCTION auth.password_setting(credential_hash bytea, branch uuid) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    setting text;
BEGIN
    SELECT left(u.password_hash, 29) INTO setting
      FROM public.sessions s
      JOIN public.users u ON u.branch_id = s.branch_id AND u.id = s.user_id
     WHERE s.branch_id = branch AND s.token_hash = credential_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.branch_id = branch AND u.active AND u.password_hash IS NOT NULL;
    RETURN setting;
END
$$;

-- The signed-in person replaces their password: `current_hash` is the password they presented,
-- hashed with auth.password_setting. A match stores `new_hash`, clears the mark, forgets the client's
-- failures and ends every other session of theirs ('changed'). A mismatch counts as a failed
-- sign-in of their login from `client`, with the same blocking ('invalid', or 'throttled' with the
-- seconds to wait). 'unknown' when the session no longer works.
CREATE FUNCTION auth.change_password(credential_hash bytea, branch uuid, client text, current_hash text, new_hash text,
                                     first_block interval DEFAULT '00:00:01'::interval)
    RETURNS TABLE(outcome text, retry_after_seconds integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    holder record;
    blocked timestamptz;
BEGIN
    IF new_hash IS NULL OR new_hash !~ '^\$2[abxy]\$[0-9]{2}\$[./A-Za-z0-9]{53}$' THEN
        RAISE EXCEPTION 'auth.change_password needs a bcrypt hash' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT s.id AS session_id, u.id AS user_id, u.login, u.password_hash, b.code AS branch_code INTO holder
      FROM public.sessions s
      JOIN public.users u ON u.branch_id = s.branch_id AND u.id = s.user_id
      JOIN public.branches b ON b.id = u.branch_id
     WHERE s.branch_id = branch AND s.token_hash = credential_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.branch_id = branch AND u.active AND u.password_hash IS NOT NULL
       FOR UPDATE OF u;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'unknown', NULL::integer;
        RETURN;
    END IF;
    SELECT f.blocked_until INTO blocked FROM auth.sign_in_failures f
     WHERE f.branch_code = holder.branch_code AND f.login = holder.login AND f.client = change_password.client;
    IF blocked > now() THEN
        RETURN QUERY SELECT 'throttled', greatest(1, ceil(extract(epoch FROM blocked - now())))::integer;
        RETURN;
    END IF;
    -- Digests compared, so how long the comparison takes says nothing about the stored hash.
    IF NOT coalesce(public.digest(holder.password_hash, 'sha256') = public.digest(current_hash, 'sha256'), false) THEN
        INSERT INTO auth.sign_in_failures AS f (branch_code, login, client, failures, blocked_until, last_failure_at)
             VALUES (holder.branch_code, holder.login, change_password.client, 1, NULL, now())
        ON CONFLICT ON CONSTRAINT sign_in_failures_pkey DO UPDATE
           SET failures = CASE WHEN f.last_failure_at < now() - interval '1 hour' THEN 1 ELSE f.failures + 1 END,
               blocked_until = CASE WHEN f.last_failure_at >= now() - interval '1 hour' AND f.failures + 1 >= 5
                   THEN now() + least(interval '15 minutes', change_password.first_block * power(2, f.failures + 1 - 5))
               END,
               last_failure_at = now();
        RETURN QUERY SELECT 'invalid', NULL::integer;
        RETURN;
    END IF;
    UPDATE public.users u
       SET password_hash = new_hash, password_change_required = false, failed_sign_ins = 0, updated_at = now()
     WHERE u.branch_id = branch AND u.id = holder.user_id;
    UPDATE public.sessions s SET revoked_at = now()
     WHERE s.branch_id = branch AND s.user_id = holder.user_id AND s.id <> holder.session_id AND s.revoked_at IS NULL;
    DELETE FROM auth.sign_in_failures f
     WHERE f.branch_code = holder.branch_code AND f.login = holder.login AND f.client = change_password.client;
    RETURN QUERY SELECT 'changed', NULL::integer;
END
$$;
REVOKE ALL ON FUNCTION auth.password_setting(bytea, uuid), auth.change_password(bytea, uuid, text, text, text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.password_setting(bytea, uuid), auth.change_password(bytea, uuid, text, text, text, interval)
   TO redress_service;
