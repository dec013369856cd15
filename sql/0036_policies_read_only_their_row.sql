-- The last policies that read another table in a sub-select, which Citus refuses in a policy on
-- a distributed table (docs/scaling.md): that an API key's user is a bot, and that a user holds
-- no HQ grant. Each fact now sits on the row the policy reads, tied to its source by a foreign key
-- that the database checks, so that a forged value is refused rather than believed.

-- From here on a migration creates or changes a policy through this function, the statement
-- written as the others are, with each scope function in a per-statement sub-select:
-- `SELECT public.scoped_policy($$ALTER POLICY … (SELECT scope.branch_ids())::uuid[] …$$);`.
-- On plain PostgreSQL, and on Citus before `redress citus distribute` ran, it runs the statement
-- as written; on a distributed schema, where Citus refuses any sub-select in a policy, it runs it
-- with the scope functions called directly, as `redress citus distribute` rewrote the others
-- (`call_scope_directly`, 0025).
CREATE FUNCTION public.scope_calls_direct(expression text) RETURNS text
    LANGUAGE sql IMMUTABLE
    RETURN regexp_replace(expression, '\(\s*SELECT\s+scope\.(\w+)\(\)(?:\s+AS\s+\w+)?\s*\)(?:::(?:uuid|text)\[\])?',
                          'scope.\1()', 'gi');

CREATE FUNCTION public.scoped_policy(statement text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    distributed boolean := false;
BEGIN
    IF statement !~* '^\s*(CREATE|ALTER)\s+POLICY\s' THEN
        RAISE EXCEPTION 'public.scoped_policy runs a policy''s creation or change, not: %', left(statement, 60);
    END IF;
    IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1)'
           INTO distributed USING 'public.complaints'::regclass;
    END IF;
    IF distributed THEN
        statement := public.scope_calls_direct(statement);
    END IF;
    EXECUTE statement;
END
$$;
REVOKE ALL ON FUNCTION public.scoped_policy(text), public.scope_calls_direct(text) FROM PUBLIC;

-- A user is a bot when they have no other role (as the policy had it, 0020).
ALTER TABLE public.users ADD COLUMN is_bot boolean GENERATED ALWAYS AS (roles <@ ARRAY['bot']) STORED;
ALTER TABLE public.users ADD CONSTRAINT users_bot_key UNIQUE (branch_id, id, is_bot);

-- A key names its user as a bot; the key must match the user's row when the transaction commits.
-- When a bot becomes a person its keys are revoked and lose the mark, in the same transaction
-- (users_revoke_keys_of_former_bots). A NULL mark is not checked (MATCH SIMPLE), so revoked keys
-- stay on record; a key without the mark must be revoked.
ALTER TABLE public.api_keys ADD COLUMN user_is_bot boolean CHECK (user_is_bot);
UPDATE public.api_keys k SET user_is_bot = true
  FROM public.users u WHERE u.branch_id = k.branch_id AND u.id = k.user_id AND u.is_bot;
UPDATE public.api_keys SET user_is_bot = NULL, revoked_at = coalesce(revoked_at, now()) WHERE user_is_bot IS NULL;
ALTER TABLE public.api_keys ADD CONSTRAINT api_keys_user_is_bot_fkey FOREIGN KEY (branch_id, user_id, user_is_bot)
    REFERENCES public.users (branch_id, id, is_bot) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE public.api_keys ADD CONSTRAINT api_keys_revoked_unless_bot CHECK (coalesce(user_is_bot, false) OR revoked_at IS NOT NULL);
SELECT public.scoped_policy($$ALTER POLICY administered_insert ON public.api_keys
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]) AND user_is_bot)$$);
GRANT SELECT (user_is_bot), INSERT (user_is_bot), UPDATE (user_is_bot) ON public.api_keys TO redress_service;
GRANT SELECT (is_bot) ON public.users TO redress_service;

CREATE OR REPLACE FUNCTION public.revoke_keys_of_former_bots() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE public.api_keys k SET revoked_at = coalesce(k.revoked_at, now()), user_is_bot = NULL
     WHERE k.branch_id = NEW.branch_id AND k.user_id = NEW.id AND (k.revoked_at IS NULL OR k.user_is_bot IS NOT NULL);
    RETURN NEW;
END
$$;

-- A user holds HQ grants while one exists: a grant needs the mark on its user's row, so the mark
-- cannot be cleared under a grant. Grants are an operator's: public.grant_hq and public.revoke_hq
-- keep the mark with them. The service can neither write the mark nor the grants.
ALTER TABLE public.users ADD COLUMN holds_hq_grants boolean NOT NULL DEFAULT false;
ALTER TABLE public.users ADD CONSTRAINT users_hq_grants_key UNIQUE (branch_id, id, holds_hq_grants);
UPDATE public.users u SET holds_hq_grants = true
 WHERE EXISTS (SELECT FROM public.hq_grants g WHERE g.branch_id = u.branch_id AND g.user_id = u.id);
ALTER TABLE public.hq_grants ADD COLUMN user_holds_hq_grants boolean NOT NULL DEFAULT true CHECK (user_holds_hq_grants);
ALTER TABLE public.hq_grants DROP CONSTRAINT hq_grants_branch_id_user_id_fkey;
ALTER TABLE public.hq_grants ADD CONSTRAINT hq_grants_user_holds_them_fkey FOREIGN KEY (branch_id, user_id, user_holds_hq_grants)
    REFERENCES public.users (branch_id, id, holds_hq_grants) ON DELETE CASCADE;
GRANT SELECT (holds_hq_grants) ON public.users TO redress_service;

SELECT public.scoped_policy($$ALTER POLICY administered_update ON public.users
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]) AND NOT roles && ARRAY['executive', 'auditor']
           AND NOT holds_hq_grants)
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]) AND NOT roles && ARRAY['executive', 'auditor'])$$);
SELECT public.scoped_policy($$ALTER POLICY administered_delete ON public.users
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]) AND NOT roles && ARRAY['executive', 'auditor']
           AND NOT holds_hq_grants)$$);

-- Grants `grant_role` ('executive' or 'auditor') in `granted_branch` to the user `grantee` of
-- `branch` (the owner's, as every change to HQ grants); granting again sets the role.
CREATE FUNCTION public.grant_hq(branch uuid, grantee uuid, granted_branch uuid, grant_role text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    UPDATE public.users u SET holds_hq_grants = true WHERE u.branch_id = branch AND u.id = grantee AND NOT u.holds_hq_grants;
    INSERT INTO public.hq_grants (branch_id, user_id, granted_branch_id, role)
    VALUES (branch, grantee, granted_branch, grant_role)
    ON CONFLICT (branch_id, user_id, granted_branch_id) DO UPDATE SET role = EXCLUDED.role
     WHERE hq_grants.role IS DISTINCT FROM EXCLUDED.role;
END
$$;

-- Takes back the user's grant in `granted_branch`; with the last one gone, their branch's admins
-- manage them again.
CREATE FUNCTION public.revoke_hq(branch uuid, grantee uuid, granted_branch uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    DELETE FROM public.hq_grants g WHERE g.branch_id = branch AND g.user_id = grantee AND g.granted_branch_id = granted_branch;
    UPDATE public.users u SET holds_hq_grants = false
     WHERE u.branch_id = branch AND u.id = grantee AND u.holds_hq_grants
       AND NOT EXISTS (SELECT FROM public.hq_grants g WHERE g.branch_id = branch AND g.user_id = grantee);
END
$$;
REVOKE ALL ON FUNCTION public.grant_hq(uuid, uuid, uuid, text), public.revoke_hq(uuid, uuid, uuid) FROM PUBLIC;
