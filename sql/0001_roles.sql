-- Roles and schema privileges.
--
-- Two roles from the start:
--   * the owner (whoever runs these migrations) owns every table, function and policy;
--   * redress_service is what the server logs in as: it owns nothing and has no BYPASSRLS, so
--     every row-level security policy applies to it. Tables are granted to it one by one.
-- The service role is created here when missing (the owner then needs CREATEROLE); a DBA may
-- create it beforehand instead, with LOGIN and a password.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'redress_service') THEN
        CREATE ROLE redress_service NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

-- Nobody but the owner may create objects in the schema (the default before PostgreSQL 15).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO redress_service;

-- Readiness checks compare applied migrations with the files.
GRANT SELECT ON schema_migrations TO redress_service;
