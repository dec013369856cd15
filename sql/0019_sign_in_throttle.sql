-- Sign-in throttling that neither tells which logins exist nor lets a stranger lock a user out.
--
-- Failures are counted per (branch code, login, client) whether or not the login exists, so an
-- unknown login is throttled exactly like a real one. The client is the caller's address as the
-- server trusts it (an IPv6 client counts by its /64). Five failures in a row from one client
-- make that client wait first_block (SIGN_IN_FIRST_BLOCK_SECONDS, 1 s) before the next attempt at that login, doubling with each further
-- failure up to 15 min; a failure more than an hour after the previous one starts the count
-- again. Other clients are not slowed down, so a correct password from elsewhere still signs in.
-- On success the password is re-hashed when PASSWORD_HASH_COST has changed since it was set, so
-- old and new hashes do not answer at different speeds. users.failed_sign_ins and
-- users.sign_in_blocked_until are no longer used.

CREATE TABLE auth.sign_in_failures (
    branch_code     text NOT NULL,
    login           text NOT NULL,
    client          text NOT NULL,
    failures        integer NOT NULL CHECK (failures > 0),
    blocked_until   timestamptz,
    last_failure_at timestamptz NOT NULL,
    PRIMARY KEY (branch_code, login, client)
);
CREATE INDEX sign_in_failures_age ON auth.sign_in_failures (last_failure_at);
ALTER TABLE auth.sign_in_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.sign_in_failures FORCE ROW LEVEL SECURITY;
CREATE POLICY platform ON auth.sign_in_failures TO redress_platform USING (true) WITH CHECK (true);
REVOKE ALL ON auth.sign_in_failures FROM PUBLIC;

DROP FUNCTION auth.sign_in(text, text, text, bytea, interval, integer);

-- Checks a password and, when it matches, opens a session for token_hash.
-- outcome: 'ok', 'invalid' (unknown branch or login, wrong password, inactive or bot user) or
-- 'throttled' (this client failed too often at this login; retry_after_seconds says how long to
-- wait). Throttled answers do no password work, for known and unknown logins alike.
CREATE FUNCTION auth.sign_in(branch_code text, login text, password text, token_hash bytea,
                             ttl interval, hash_cost integer, client text,
                             first_block interval DEFAULT interval '1 second')
    RETURNS TABLE (outcome text, user_id uuid, branch_id uuid, session_id uuid,
                   expires_at timestamptz, retry_after_seconds integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    blocked timestamptz;
    found_user record;
    matched boolean := false;
    new_session uuid;
    new_expiry timestamptz;
BEGIN
    -- Now and then, forget failures nobody has repeated for a day.
    IF random() < 0.01 THEN
        DELETE FROM auth.sign_in_failures f WHERE f.last_failure_at < now() - interval '1 day';
    END IF;
    SELECT f.blocked_until INTO blocked FROM auth.sign_in_failures f
     WHERE f.branch_code = sign_in.branch_code AND f.login = sign_in.login AND f.client = sign_in.client;
    IF blocked > now() THEN
        RETURN QUERY SELECT 'throttled', NULL::uuid, NULL::uuid, NULL::uuid, NULL::timestamptz,
            greatest(1, ceil(extract(epoch FROM blocked - now())))::integer;
        RETURN;
    END IF;
    SELECT u.branch_id, u.id, u.password_hash
      INTO found_user
      FROM public.users u JOIN public.branches b ON b.id = u.branch_id
     WHERE b.code = sign_in.branch_code AND u.login = sign_in.login
       AND u.active AND u.password_hash IS NOT NULL;
    IF FOUND THEN
        matched := public.crypt(sign_in.password, found_user.password_hash) = found_user.password_hash;
    ELSE
        -- Spend the same work as a real check so timing does not reveal which logins exist.
        PERFORM public.crypt(sign_in.password, public.gen_salt('bf', hash_cost));
    END IF;
    IF matched THEN
        DELETE FROM auth.sign_in_failures f
         WHERE f.branch_code = sign_in.branch_code AND f.login = sign_in.login AND f.client = sign_in.client;
        IF substring(found_user.password_hash FROM 5 FOR 2) <> lpad(hash_cost::text, 2, '0') THEN
            UPDATE public.users u SET password_hash = public.crypt(sign_in.password, public.gen_salt('bf', hash_cost))
             WHERE u.branch_id = found_user.branch_id AND u.id = found_user.id;
        END IF;
        INSERT INTO public.sessions AS s (branch_id, user_id, token_hash, expires_at)
             VALUES (found_user.branch_id, found_user.id, sign_in.token_hash, now() + ttl)
          RETURNING s.id, s.expires_at INTO new_session, new_expiry;
        RETURN QUERY SELECT 'ok', found_user.id, found_user.branch_id, new_session, new_expiry, NULL::integer;
        RETURN;
    END IF;
    INSERT INTO auth.sign_in_failures AS f (branch_code, login, client, failures, blocked_until, last_failure_at)
         VALUES (sign_in.branch_code, sign_in.login, sign_in.client, 1, NULL, now())
    ON CONFLICT ON CONSTRAINT sign_in_failures_pkey DO UPDATE
       SET failures = CASE WHEN f.last_failure_at < now() - interval '1 hour' THEN 1 ELSE f.failures + 1 END,
           blocked_until = CASE WHEN f.last_failure_at >= now() - interval '1 hour' AND f.failures + 1 >= 5
               THEN now() + least(interval '15 minutes', sign_in.first_block * power(2, f.failures + 1 - 5))
           END,
           last_failure_at = now();
    RETURN QUERY SELECT 'invalid', NULL::uuid, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::integer;
END
$$;

REVOKE ALL ON FUNCTION auth.sign_in(text, text, text, bytea, interval, integer, text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.sign_in(text, text, text, bytea, interval, integer, text, interval) TO redress_service;
