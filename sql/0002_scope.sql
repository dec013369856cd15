-- The caller's scope, read by every row-level security policy.
--
-- The service opens each transaction with
--   SELECT set_config('redress.user_id', …, true), set_config('redress.branch_ids', …, true), …
-- so the settings die with the transaction and never reach the next borrower of a pooled
-- connection. Unset or empty settings read as "nothing": an empty array matches no row.
--
--   redress.user_id           the caller (a user or a bot)
--   redress.roles             the caller's roles, as a text array literal
--   redress.branch_ids        every branch the caller may act in (home branch and HQ grants)
--   redress.wide_branch_ids   branches where the caller sees every department's rows
--   redress.department_ids    departments whose rows the caller sees in the other branches
--   redress.admin_branch_ids  branches whose configuration the caller may change
--
-- Policies call these functions inside a sub-select, `= ANY ((SELECT scope.branch_ids())::uuid[])`,
-- so PostgreSQL evaluates each once per statement (an InitPlan) rather than once per row; the
-- cast keeps the sub-select an array expression instead of the `ANY (subquery)` form.

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

-- Members of redress_platform (the owner who runs migrations, never the service) see and change
-- every row: it is how operators create branches and how the sign-in functions below read
-- credentials. Tables are FORCE'd, so even their owner needs this membership.
-- Roles belong to the whole cluster, so another database's migration may create it meanwhile.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'redress_platform') THEN
        CREATE ROLE redress_platform NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'redress_platform', 'MEMBER') THEN
        GRANT redress_platform TO CURRENT_USER;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

CREATE SCHEMA scope;
GRANT USAGE ON SCHEMA scope TO redress_service;

CREATE FUNCTION scope.uuid_setting(setting text) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting(setting, true), '')::uuid[], '{}'::uuid[]) $$;

CREATE FUNCTION scope.user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('redress.user_id', true), '')::uuid $$;

CREATE FUNCTION scope.roles() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('redress.roles', true), '')::text[], '{}'::text[]) $$;

CREATE FUNCTION scope.branch_ids() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT scope.uuid_setting('redress.branch_ids') $$;

CREATE FUNCTION scope.wide_branch_ids() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT scope.uuid_setting('redress.wide_branch_ids') $$;

CREATE FUNCTION scope.department_ids() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT scope.uuid_setting('redress.department_ids') $$;

CREATE FUNCTION scope.admin_branch_ids() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT scope.uuid_setting('redress.admin_branch_ids') $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA scope FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA scope TO redress_service;
