-- Sign-in finds the branch by its code first, then the user within it: on Citus the user lookup
-- is then a router query on one shard instead of a join by code across all of them
-- (docs/scaling.md). Otherwise unchanged from 0021.
CREATE OR REPLACE FUNCTION auth.sign_in_salt(branch_code text, login text, client text, hash_cost integer)
 RETURNS TABLE(outcome text, setting text, retry_after_seconds integer)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    branch uuid;
    blocked timestamptz;
    stored text;
    salt bytea;
BEGIN
    IF hash_cost NOT BETWEEN 4 AND 31 THEN
        RAISE EXCEPTION 'bcrypt cost % is not between 4 and 31', hash_cost USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Now and then, forget failures nobody has repeated for a day.
    IF random() < 0.01 THEN
        DELETE FROM auth.sign_in_failures f WHERE f.last_failure_at < now() - interval '1 day';
    END IF;
    SELECT f.blocked_until INTO blocked FROM auth.sign_in_failures f
     WHERE f.branch_code = sign_in_salt.branch_code AND f.login = sign_in_salt.login AND f.client = sign_in_salt.client;
    IF blocked > now() THEN
        RETURN QUERY SELECT 'throttled', NULL::text, greatest(1, ceil(extract(epoch FROM blocked - now())))::integer;
        RETURN;
    END IF;
    SELECT b.id INTO branch FROM public.branches b WHERE b.code = sign_in_salt.branch_code;
    SELECT u.password_hash INTO stored
      FROM public.users u
     WHERE u.branch_id = branch AND u.login = sign_in_salt.login
       AND u.active AND u.password_hash IS NOT NULL;
    IF FOUND THEN
        RETURN QUERY SELECT 'salt', left(stored, 29), NULL::integer;
        RETURN;
    END IF;
    -- 16 bytes of an HMAC, in bcrypt's base64 (the standard one with another alphabet).
    SELECT substring(public.hmac(convert_to(length(sign_in_salt.branch_code) || ':' || sign_in_salt.branch_code
                                            || sign_in_salt.login, 'UTF8'), s.secret, 'sha256') FROM 1 FOR 16)
      INTO salt FROM auth.sign_in_secret s;
    RETURN QUERY SELECT 'salt',
        '$2a$' || lpad(hash_cost::text, 2, '0') || '$'
            || translate(rtrim(encode(salt, 'base64'), '='),
                         'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
                         './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'),
        NULL::integer;
END
$function$;

CREATE OR REPLACE FUNCTION auth.sign_in_finish(branch_code text, login text, client text, computed_hash text, token_hash bytea, ttl interval, first_block interval DEFAULT '00:00:01'::interval)
 RETURNS TABLE(outcome text, user_id uuid, branch_id uuid, session_id uuid, expires_at timestamp with time zone, retry_after_seconds integer)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    branch uuid;
    blocked timestamptz;
    found_user record;
    matched boolean := false;
    new_session uuid;
    new_expiry timestamptz;
BEGIN
    SELECT f.blocked_until INTO blocked FROM auth.sign_in_failures f
     WHERE f.branch_code = sign_in_finish.branch_code AND f.login = sign_in_finish.login AND f.client = sign_in_finish.client;
    IF blocked > now() THEN
        RETURN QUERY SELECT 'throttled', NULL::uuid, NULL::uuid, NULL::uuid, NULL::timestamptz,
            greatest(1, ceil(extract(epoch FROM blocked - now())))::integer;
        RETURN;
    END IF;
    SELECT b.id INTO branch FROM public.branches b WHERE b.code = sign_in_finish.branch_code;
    SELECT u.branch_id, u.id, u.password_hash
      INTO found_user
      FROM public.users u
     WHERE u.branch_id = branch AND u.login = sign_in_finish.login
       AND u.active AND u.password_hash IS NOT NULL;
    IF FOUND THEN
        -- Digests compared, so how long the comparison takes says nothing about the stored hash.
        matched := coalesce(public.digest(found_user.password_hash, 'sha256')
                            = public.digest(sign_in_finish.computed_hash, 'sha256'), false);
    END IF;
    IF matched THEN
        DELETE FROM auth.sign_in_failures f
         WHERE f.branch_code = sign_in_finish.branch_code AND f.login = sign_in_finish.login AND f.client = sign_in_finish.client;
        INSERT INTO public.sessions AS s (branch_id, user_id, token_hash, expires_at)
             VALUES (found_user.branch_id, found_user.id, sign_in_finish.token_hash, now() + ttl)
          RETURNING s.id, s.expires_at INTO new_session, new_expiry;
        RETURN QUERY SELECT 'ok', found_user.id, found_user.branch_id, new_session, new_expiry, NULL::integer;
        RETURN;
    END IF;
    INSERT INTO auth.sign_in_failures AS f (branch_code, login, client, failures, blocked_until, last_failure_at)
         VALUES (sign_in_finish.branch_code, sign_in_finish.login, sign_in_finish.client, 1, NULL, now())
    ON CONFLICT ON CONSTRAINT sign_in_failures_pkey DO UPDATE
       SET failures = CASE WHEN f.last_failure_at < now() - interval '1 hour' THEN 1 ELSE f.failures + 1 END,
           blocked_until = CASE WHEN f.last_failure_at >= now() - interval '1 hour' AND f.failures + 1 >= 5
               THEN now() + least(interval '15 minutes', sign_in_finish.first_block * power(2, f.failures + 1 - 5))
           END,
           last_failure_at = now();
    RETURN QUERY SELECT 'invalid', NULL::uuid, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::integer;
END
$function$;
