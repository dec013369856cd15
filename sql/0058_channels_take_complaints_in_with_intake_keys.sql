-- Channels take complaints in with keys of their own: a website's form, a WeChat official-account
-- bridge, a partner's system. An intake key names its branch and one channel; it may take
-- complaints in on that channel, with idempotency and its own rate limit, and nothing else (the
-- service refuses every other request it presents). Each key acts as a user of its own, holding
-- the role `intake` alone, with no password, whom an admin makes with the key and nobody changes
-- afterwards: the complaints it takes in name it as their creator, and revoking the key ends it.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['agent', 'handler',
    'department_head', 'branch_manager', 'executive', 'auditor', 'bot', 'admin', 'complainant', 'intake']);
ALTER TABLE users ADD CONSTRAINT users_intake_alone
    CHECK (NOT 'intake' = ANY (roles) OR (roles = ARRAY['intake'] AND password_hash IS NULL AND department_ids = '{}'));
ALTER TABLE users ADD COLUMN is_intake boolean GENERATED ALWAYS AS (roles = ARRAY['intake']) STORED;
ALTER TABLE users ADD CONSTRAINT users_intake_key UNIQUE (branch_id, id, is_intake);
GRANT SELECT (is_intake) ON users TO redress_service;
SELECT public.scoped_policy($$CREATE POLICY intake_unchanged ON users AS RESTRICTIVE FOR UPDATE TO redress_service
    USING (NOT 'intake' = ANY (roles)) WITH CHECK (NOT 'intake' = ANY (roles))$$);
SELECT public.scoped_policy($$CREATE POLICY intake_kept ON users AS RESTRICTIVE FOR DELETE TO redress_service
    USING (NOT 'intake' = ANY (roles))$$);

-- An intake key is marked as its user's, like a bot's (0036), and names its channel.
ALTER TABLE api_keys ADD COLUMN channel text CHECK (channel IN ('phone', 'web', 'email', 'visit', 'sms', 'chat',
    'social_media', 'third_party', 'app', 'internal', 'institutional'));
ALTER TABLE api_keys ADD COLUMN user_is_intake boolean CHECK (user_is_intake);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_user_is_intake_fkey FOREIGN KEY (branch_id, user_id, user_is_intake)
    REFERENCES users (branch_id, id, is_intake) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_intake_names_its_channel CHECK ((user_is_intake IS NOT NULL) = (channel IS NOT NULL));
ALTER TABLE api_keys DROP CONSTRAINT api_keys_revoked_unless_bot;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_revoked_unless_bot
    CHECK (coalesce(user_is_bot, false) OR coalesce(user_is_intake, false) OR revoked_at IS NOT NULL);
SELECT public.scoped_policy($$ALTER POLICY administered_insert ON public.api_keys
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]) AND (user_is_bot OR user_is_intake))$$);
GRANT SELECT (channel, user_is_intake), INSERT (channel, user_is_intake) ON api_keys TO redress_service;

-- A mail gateway is a channel too: its intake key (channel `email`) signs what it passes on, and
-- each message it passes on is recorded once, by its Message-ID, whether it opens a complaint (the
-- intake's idempotency key) or adds to one (the communication's `message_id`).
ALTER TABLE complaint_communications ADD COLUMN message_id text CHECK (length(message_id) BETWEEN 1 AND 500);
CREATE UNIQUE INDEX complaint_communications_message ON complaint_communications (branch_id, complaint_id, message_id)
    WHERE message_id IS NOT NULL;

-- A mail gateway's key comes with a second secret, which signs what the gateway passes on and never
-- travels with a request: only `auth.mail_signature_valid` reads it, and the audit trail keeps it
-- out like every other secret.
ALTER TABLE api_keys ADD COLUMN signing_secret text CHECK (length(signing_secret) BETWEEN 32 AND 200);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_signing_for_mail CHECK (signing_secret IS NULL OR channel = 'email');
GRANT INSERT (signing_secret) ON api_keys TO redress_service;
CREATE OR REPLACE FUNCTION audit.hidden_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT ARRAY['password_hash', 'key_hash', 'token_hash', 'secret', 'content', 'complainant_name', 'complainant_phone',
                 'complainant_email', 'complainant_address', 'complainant_sealed', 'complainant_phone_index',
                 'customer_ref', 'description', 'desired_outcome', 'location', 'resolution', 'party',
                 'direct_parties', 'indirect_parties', 'accountability', 'comments', 'note', 'rejection_reason',
                 'access_code_digest', 'signing_secret']
$$;

-- Whether `signature` is the HMAC-SHA256 of `signed` under the signing secret of the working mail
-- key `key` of `branch`.
CREATE FUNCTION auth.mail_signature_valid(key uuid, branch uuid, signed bytea, signature bytea) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    secret text;
BEGIN
    SELECT k.signing_secret INTO secret FROM public.api_keys k
     WHERE k.branch_id = branch AND k.id = key AND k.channel = 'email' AND k.revoked_at IS NULL
       AND (k.expires_at IS NULL OR k.expires_at > now());
    RETURN secret IS NOT NULL AND public.hmac(signed, convert_to(secret, 'UTF8'), 'sha256') = signature;
END
$$;
REVOKE ALL ON FUNCTION auth.mail_signature_valid(uuid, uuid, bytea, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.mail_signature_valid(uuid, uuid, bytea, bytea) TO redress_service;

-- The caller behind a credential, as 0042 resolves it, with an intake key's channel.
DROP FUNCTION auth.resolve(bytea, uuid);
CREATE FUNCTION auth.resolve(credential_hash bytea, branch uuid DEFAULT NULL)
 RETURNS TABLE(credential text, credential_id uuid, user_id uuid, branch_id uuid, branch_code text, login text, name text, roles text[],
               department_ids uuid[], granted_branch_ids uuid[], expires_at timestamp with time zone, password_change_required boolean,
               channel text)
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
        SELECT 'session' AS kind, s.id, s.branch_id, s.user_id, s.expires_at, NULL::text AS channel
          FROM public.sessions s
         WHERE s.branch_id = home AND s.token_hash = credential_hash AND s.revoked_at IS NULL AND s.expires_at > now()
        UNION ALL
        SELECT CASE WHEN k.channel IS NULL THEN 'api_key' ELSE 'intake_key' END, k.id, k.branch_id, k.user_id, k.expires_at,
               k.channel
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
           c.expires_at, u.password_change_required, c.channel
      FROM credential c
      JOIN public.users u ON u.branch_id = c.branch_id AND u.id = c.user_id
      JOIN public.branches b ON b.id = u.branch_id
     WHERE u.branch_id = home AND u.active
       AND CASE c.kind WHEN 'session' THEN true WHEN 'api_key' THEN u.roles <@ ARRAY['bot'] ELSE u.roles = ARRAY['intake'] END
     LIMIT 1;
END
$function$;
REVOKE ALL ON FUNCTION auth.resolve(bytea, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.resolve(bytea, uuid) TO redress_service;
