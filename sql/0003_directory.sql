-- Branches (the tenants), their departments and people, HQ grants, sessions and bot API keys.
--
-- Every tenant-scoped table carries branch_id in its primary and unique keys and in its foreign
-- keys, so rows never point across branches and the schema can be sharded by branch_id.
-- Every table has FORCE'd row-level security; the service role sees only what the caller's scope
-- settings (0002_scope.sql) allow. Secrets (password hashes, token and key hashes, throttling
-- counters) are not readable by the service role at all: sign-in and token resolution happen in
-- the SECURITY DEFINER functions of 0004_auth.sql.

CREATE TABLE branches (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,31}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    region      text NOT NULL DEFAULT '' CHECK (length(region) <= 200),
    time_zone   text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    branch_id              uuid NOT NULL REFERENCES branches (id),
    id                     uuid NOT NULL DEFAULT gen_random_uuid(),
    login                  text NOT NULL CHECK (login ~ '^[a-z0-9][a-z0-9._@-]{1,63}$'),
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    position               text NOT NULL DEFAULT '' CHECK (length(position) <= 200),
    email                  text CHECK (length(email) <= 320),
    phone                  text CHECK (length(phone) <= 40),
    roles                  text[] NOT NULL CHECK (
                               cardinality(roles) > 0 AND roles <@ ARRAY['agent', 'handler',
                               'department_head', 'branch_manager', 'executive', 'auditor', 'bot',
                               'admin']),
    department_ids         uuid[] NOT NULL DEFAULT '{}',
    active                 boolean NOT NULL DEFAULT true,
    password_hash          text,
    failed_sign_ins        integer NOT NULL DEFAULT 0,
    sign_in_blocked_until  timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, login),
    CHECK (NOT ('bot' = ANY (roles)) OR password_hash IS NULL)
);
CREATE INDEX users_department_ids ON users USING gin (department_ids);

CREATE TABLE departments (
    branch_id     uuid NOT NULL REFERENCES branches (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind          text NOT NULL CHECK (kind IN ('customer_service', 'complaint_office',
                      'network_operations', 'billing', 'product', 'service_quality', 'after_sales',
                      'legal', 'other')),
    head_user_id  uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, name),
    FOREIGN KEY (branch_id, head_user_id) REFERENCES users (branch_id, id)
        ON DELETE SET NULL (head_user_id)
);

-- A user's departments must exist in the user's own branch (an array cannot carry a foreign key).
CREATE FUNCTION check_user_departments() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (
        SELECT FROM unnest(NEW.department_ids) AS wanted(id)
        WHERE NOT EXISTS (SELECT FROM departments d WHERE d.branch_id = NEW.branch_id AND d.id = wanted.id)
    ) THEN
        RAISE EXCEPTION 'a department in department_ids does not exist in this branch'
            USING ERRCODE = 'foreign_key_violation', COLUMN = 'department_ids',
                  CONSTRAINT = 'users_department_ids_fkey', TABLE = 'users';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_department_ids_exist BEFORE INSERT OR UPDATE OF department_ids ON users
    FOR EACH ROW EXECUTE FUNCTION check_user_departments();

-- A deleted department leaves its members' department lists.
CREATE FUNCTION forget_deleted_department() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE users SET department_ids = array_remove(department_ids, OLD.id), updated_at = now()
     WHERE branch_id = OLD.branch_id AND OLD.id = ANY (department_ids);
    RETURN OLD;
END
$$;
CREATE TRIGGER departments_forget_members BEFORE DELETE ON departments
    FOR EACH ROW EXECUTE FUNCTION forget_deleted_department();

-- An executive or auditor of branch_id who also covers granted_branch_id.
CREATE TABLE hq_grants (
    branch_id          uuid NOT NULL,
    user_id            uuid NOT NULL,
    granted_branch_id  uuid NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    granted_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, user_id, granted_branch_id),
    FOREIGN KEY (branch_id, user_id) REFERENCES users (branch_id, id) ON DELETE CASCADE
);

CREATE TABLE sessions (
    branch_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL,
    token_hash  bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, user_id) REFERENCES users (branch_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_token_hash ON sessions (token_hash);
CREATE INDEX sessions_user ON sessions (branch_id, user_id);

CREATE TABLE api_keys (
    branch_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    key_prefix  text NOT NULL,
    key_hash    bytea NOT NULL CHECK (length(key_hash) = 32),
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz,
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, name),
    FOREIGN KEY (branch_id, user_id) REFERENCES users (branch_id, id) ON DELETE CASCADE
);
CREATE INDEX api_keys_key_hash ON api_keys (key_hash);

-- Row-level security. Platform policies let the owner operate; the rest apply to the service.
ALTER TABLE branches ENABLE ROW LEVEL SECURITY;
ALTER TABLE branches FORCE ROW LEVEL SECURITY;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
ALTER TABLE departments ENABLE ROW LEVEL SECURITY;
ALTER TABLE departments FORCE ROW LEVEL SECURITY;
ALTER TABLE hq_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE hq_grants FORCE ROW LEVEL SECURITY;
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;

CREATE POLICY platform ON branches TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON users TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON departments TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON hq_grants TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON sessions TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON api_keys TO redress_platform USING (true) WITH CHECK (true);

-- Branches: everyone sees the branches they act in; admins edit their own branch.
CREATE POLICY visible ON branches FOR SELECT TO redress_service
    USING (id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY administered ON branches FOR UPDATE TO redress_service
    USING (id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));

-- Departments are the branch's directory: visible to everyone acting in the branch.
CREATE POLICY visible ON departments FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY administered_insert ON departments FOR INSERT TO redress_service
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY administered_update ON departments FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY administered_delete ON departments FOR DELETE TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));

-- Users: branch-wide roles see their branches' people; department-scoped roles see the people
-- who share one of their departments; everyone sees themselves. Admins manage their branch.
CREATE POLICY visible ON users FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
                OR id = (SELECT scope.user_id())
                OR department_ids && (SELECT scope.department_ids())));
CREATE POLICY administered_insert ON users FOR INSERT TO redress_service
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY administered_update ON users FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY administered_delete ON users FOR DELETE TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));

-- HQ grants are made by operators; the grantee and the branch-wide roles of its branch see them.
CREATE POLICY visible ON hq_grants FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (user_id = (SELECT scope.user_id()) OR branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])));

-- Sessions: a user sees and revokes their own; admins see and revoke their branch's.
CREATE POLICY own_or_administered ON sessions FOR SELECT TO redress_service
    USING ((branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND user_id = (SELECT scope.user_id()))
           OR branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY revoke ON sessions FOR UPDATE TO redress_service
    USING ((branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND user_id = (SELECT scope.user_id()))
           OR branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK ((branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND user_id = (SELECT scope.user_id()))
           OR branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));

-- Bot API keys: admins manage their branch's; a bot sees its own.
CREATE POLICY own_or_administered ON api_keys FOR SELECT TO redress_service
    USING ((branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND user_id = (SELECT scope.user_id()))
           OR branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY administered_insert ON api_keys FOR INSERT TO redress_service
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY administered_update ON api_keys FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));

-- What the service role may touch at all; secrets stay out of its reach.
GRANT SELECT, UPDATE (name, region, time_zone, updated_at) ON branches TO redress_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON departments TO redress_service;
GRANT SELECT (branch_id, id, login, name, position, email, phone, roles, department_ids, active,
              created_at, updated_at),
      INSERT (branch_id, id, login, name, position, email, phone, roles, department_ids, active,
              password_hash),
      UPDATE (login, name, position, email, phone, roles, department_ids, active, password_hash,
              updated_at),
      DELETE
   ON users TO redress_service;
GRANT SELECT ON hq_grants TO redress_service;
GRANT SELECT (branch_id, id, user_id, created_at, expires_at, revoked_at), UPDATE (revoked_at)
   ON sessions TO redress_service;
GRANT SELECT (branch_id, id, user_id, name, key_prefix, created_by, created_at, expires_at, revoked_at),
      INSERT (branch_id, id, user_id, name, key_prefix, key_hash, created_by, expires_at),
      UPDATE (revoked_at)
   ON api_keys TO redress_service;
