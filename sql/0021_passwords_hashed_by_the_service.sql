-- Passwords are hashed by the service; only bcrypt hashes and settings cross the connection.
--
-- Until now the service sent each password to PostgreSQL (auth.sign_in, and crypt() in the
-- INSERT and UPDATE of users), where a statement log, pg_stat_activity or an extension could see
-- it. Now bcrypt runs in the service and sign-in takes two calls:
--
--   1. auth.sign_in_salt answers 'throttled' (and does nothing else), or the bcrypt setting of the
--      login's stored hash: its first 29 characters, '$2a$', the two-digit cost, '$' and the salt,
--      none of them secret. An unknown branch or login, an inactive user or a bot gets a setting of
--      the configured cost whose salt is an HMAC of branch code and login under a secret of this
--      database (auth.sign_in_secret, readable by the owner only): it looks like a real setting and
--      stays the same from call to call, so the answer does not tell whether the login exists;
--   2. the service hashes the password with that setting, the same bcrypt work in both cases, and
--      auth.sign_in_finish compares the result with the stored hash inside the database, counts a
--      failure or opens a session exactly as auth.sign_in did (sql/0019_sign_in_throttle.sql). It
--      checks the throttle again, so a block set between the two calls holds.
--
-- When the stored cost is not PASSWORD_HASH_COST, the service hashes the password afresh after a
-- successful sign-in and auth.upgrade_password_hash stores the new hash, but only while the stored
-- hash is still the one the password produced. No function answers with a hash, so the service
-- role still cannot read password_hash. auth.sign_in, the last function taking a password, is
-- dropped. users.password_hash takes nothing but a bcrypt hash, so a password written there by
-- mistake is refused (NOT VALID: rows written before are checked when they next change).

CREATE TABLE auth.sign_in_secret (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    secret   bytea NOT NULL CHECK (length(secret) = 32)
);
INSERT INTO auth.sign_in_secret (secret) VALUES (public.gen_random_bytes(32));
ALTER TABLE auth.sign_in_secret ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.sign_in_secret FORCE ROW LEVEL SECURITY;
CREATE POLICY platform ON auth.sign_in_secret TO redress_platform USING (true) WITH CHECK (true);
REVOKE ALL ON auth.sign_in_secret FROM PUBLIC;

ALTER TABLE public.users ADD CONSTRAINT users_password_hash_bcrypt
    CHECK (password_hash ~ '^\$2[ab]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$') NOT VALID;

DROP FUNCTION auth.sign_in(text, text, text, bytea, interval, integer, text, interval);

-- The bcrypt setting to hash the password of login with, or 'throttled' with the seconds to wait
-- when this client failed too often at this login (no password work is due then). hash_cost is
-- the cost of the settings made up for logins that cannot sign in.
CREATE FUNCTION auth.sign_in_salt(branch_code text, login text, client text, hash_cost integer)
    RETURNS TABLE (outcome text, setting text, retry_after_seconds integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
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
    SELECT u.password_hash INTO stored
      FROM public.users u JOIN public.branches b ON b.id = u.branch_id
     WHERE b.code = sign_in_salt.branch_code AND u.login = sign_in_salt.login
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
$$;

-- Compares computed_hash, the bcrypt hash the service made with the setting from
-- auth.sign_in_salt, with the stored hash and, when they are equal, opens a session for
-- token_hash. outcome: 'ok', 'invalid' (unknown branch or login, wrong password, inactive or bot
-- user) or 'throttled' (this client failed too often at this login; retry_after_seconds says how
-- long to wait). Failures count and block exactly as in sql/0019_sign_in_throttle.sql.
CREATE FUNCTION auth.sign_in_finish(branch_code text, login text, client text, computed_hash text,
                                    token_hash bytea, ttl interval,
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
    SELECT f.blocked_until INTO blocked FROM auth.sign_in_failures f
     WHERE f.branch_code = sign_in_finish.branch_code AND f.login = sign_in_finish.login AND f.client = sign_in_finish.client;
    IF blocked > now() THEN
        RETURN QUERY SELECT 'throttled', NULL::uuid, NULL::uuid, NULL::uuid, NULL::timestamptz,
            greatest(1, ceil(extract(epoch FROM blocked - now())))::integer;
        RETURN;
    END IF;
    SELECT u.branch_id, u.id, u.password_hash
      INTO found_user
      FROM public.users u JOIN public.branches b ON b.id = u.branch_id
     WHERE b.code = sign_in_finish.branch_code AND u.login = sign_in_finish.login
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
$$;

-- Replaces the stored hash of an active login with new_hash (a fresh hash at the configured
-- cost) while it is still current_hash, the hash the password just signed in with. True when
-- replaced. Sessions stay open: the password has not changed.
CREATE FUNCTION auth.upgrade_password_hash(branch_code text, login text, current_hash text, new_hash text)
    RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    WITH upgraded AS (
        UPDATE public.users u SET password_hash = upgrade_password_hash.new_hash
          FROM public.branches b
         WHERE b.id = u.branch_id AND b.code = upgrade_password_hash.branch_code
           AND u.login = upgrade_password_hash.login AND u.active
           AND u.password_hash = upgrade_password_hash.current_hash
        RETURNING u.id
    )
    SELECT count(*) = 1 FROM upgraded
$$;

REVOKE ALL ON FUNCTION auth.sign_in_salt(text, text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION auth.sign_in_finish(text, text, text, text, bytea, interval, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION auth.upgrade_password_hash(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.sign_in_salt(text, text, text, integer) TO redress_service;
GRANT EXECUTE ON FUNCTION auth.sign_in_finish(text, text, text, text, bytea, interval, interval) TO redress_service;
GRANT EXECUTE ON FUNCTION auth.upgrade_password_hash(text, text, text, text) TO redress_service;
