-- Tenant boundaries the database keeps by itself, whatever the service asks of it.
--
--   * People with reach beyond their branch (executives, auditors, anyone holding an HQ grant)
--     are managed by operators only: a branch admin can neither change, reset, deactivate nor
--     delete them, nor make anyone an executive or auditor. A grant names the role it was made
--     for and counts only while its holder has that role.
--   * Reading is not writing: `redress.case_write_branch_ids` names the branches where the caller
--     may take in and change complaints (agents and branch managers, home branch only). Auditors,
--     executives and bots read; granted branches are read-only for everyone.
--   * Whatever hangs off a complaint (timeline, hand-overs, communications, evidence, findings,
--     surveys, plans, pauses) is written only by someone who may work on that complaint; a
--     page's recipient may note its acknowledgement on the timeline.
--   * Every policy that matches a user or department id also matches the branch, and the service
--     can no longer choose the ids of the users and departments it creates.
--   * Bot keys belong to bots alone; revocations cannot be undone; who proposes a plan cannot
--     approve it; idempotency keys belong to the caller who sent them.

-- Branches where the caller may take in and change complaints.
CREATE FUNCTION scope.case_write_branch_ids() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT scope.uuid_setting('redress.case_write_branch_ids') $$;
REVOKE ALL ON FUNCTION scope.case_write_branch_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scope.case_write_branch_ids() TO redress_service;

-- HQ grants name their role.
ALTER TABLE hq_grants ADD COLUMN role text;
UPDATE hq_grants g
   SET role = CASE WHEN 'executive' = ANY (u.roles) OR NOT ('auditor' = ANY (u.roles)) THEN 'executive' ELSE 'auditor' END
  FROM users u
 WHERE u.branch_id = g.branch_id AND u.id = g.user_id;
ALTER TABLE hq_grants ALTER COLUMN role SET NOT NULL,
    ADD CONSTRAINT hq_grants_role_check CHECK (role IN ('executive', 'auditor'));

-- Users: admins manage the people of their branch who reach no further than it.
ALTER POLICY administered_insert ON users
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])
                AND NOT (roles && ARRAY['executive', 'auditor']));
ALTER POLICY administered_update ON users
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])
           AND NOT (roles && ARRAY['executive', 'auditor'])
           AND NOT EXISTS (SELECT FROM hq_grants g WHERE g.branch_id = users.branch_id AND g.user_id = users.id))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])
                AND NOT (roles && ARRAY['executive', 'auditor']));
ALTER POLICY administered_delete ON users
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])
           AND NOT (roles && ARRAY['executive', 'auditor'])
           AND NOT EXISTS (SELECT FROM hq_grants g WHERE g.branch_id = users.branch_id AND g.user_id = users.id));

-- The service never chooses the id of a user or a department.
REVOKE INSERT ON users, departments FROM redress_service;
GRANT INSERT (branch_id, login, name, position, email, phone, roles, department_ids, active, password_hash)
   ON users TO redress_service;
GRANT INSERT (branch_id, name, kind, head_user_id) ON departments TO redress_service;

-- Complaints: read in the case branches and the caller's own departments of its branches;
-- taken in and changed only where the caller may write. A complaint never changes branch.
ALTER POLICY visible ON complaints
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR collaborating_department_ids && (SELECT scope.department_ids())
                OR responsible_user_id = (SELECT scope.user_id())));
ALTER POLICY intake ON complaints
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                     OR department_id = ANY ((SELECT scope.department_ids())::uuid[])));
ALTER POLICY handling ON complaints
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                OR department_id = ANY ((SELECT scope.department_ids())::uuid[])))
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                     OR department_id = ANY ((SELECT scope.department_ids())::uuid[])));
DO $$
DECLARE
    changeable text;
BEGIN
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO changeable
      FROM pg_attribute
     WHERE attrelid = 'public.complaints'::regclass AND attnum > 0 AND NOT attisdropped
       AND attname NOT IN ('branch_id', 'id');
    REVOKE UPDATE ON public.complaints FROM redress_service;
    EXECUTE format('GRANT UPDATE (%s) ON public.complaints TO redress_service', changeable);
END
$$;

-- Whether the caller may work on a complaint: take it in or change it (agents and branch
-- managers of its branch, its department), or it is one their departments collaborate on or
-- they are responsible for. Used by the policies of what hangs off a complaint, which name the
-- complaint by (branch_id, complaint_id).
CREATE FUNCTION scope.may_work_on(complaint public.complaints) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT complaint.branch_id = ANY (scope.branch_ids())
       AND (complaint.branch_id = ANY (scope.case_write_branch_ids())
            OR complaint.department_id = ANY (scope.department_ids())
            OR complaint.collaborating_department_ids && scope.department_ids()
            OR complaint.responsible_user_id = scope.user_id())
$$;
REVOKE ALL ON FUNCTION scope.may_work_on(public.complaints) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scope.may_work_on(public.complaints) TO redress_service;

-- The timeline and hand-overs. Each names a complaint the statement's snapshot shows the caller
-- and the caller may work on, so intake writes them after the complaint's own statement.
ALTER POLICY recorded ON complaint_events
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND actor_id = (SELECT scope.user_id())
                AND (EXISTS (SELECT FROM complaints c
                              WHERE c.branch_id = complaint_events.branch_id AND c.id = complaint_events.complaint_id
                                AND scope.may_work_on(c))
                     OR (kind = 'page_acknowledged'
                         AND EXISTS (SELECT FROM pages p
                                      WHERE p.branch_id = complaint_events.branch_id
                                        AND p.complaint_id = complaint_events.complaint_id
                                        AND p.recipient_user_id = (SELECT scope.user_id())))));
ALTER POLICY recorded ON complaint_handovers
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND by_user_id = (SELECT scope.user_id())
                AND EXISTS (SELECT FROM complaints c
                             WHERE c.branch_id = complaint_handovers.branch_id AND c.id = complaint_handovers.complaint_id
                               AND scope.may_work_on(c)));

-- Case work is added by those who may work on the complaint, in their own name.
DO $$
DECLARE
    work record;
BEGIN
    FOR work IN SELECT * FROM (VALUES ('complaint_communications', 'recorded', 'recorded_by'),
                                      ('complaint_evidence', 'recorded', 'recorded_by'),
                                      ('complaint_findings', 'recorded', 'recorded_by'),
                                      ('complaint_surveys', 'recorded', 'recorded_by'),
                                      ('complaint_plans', 'proposed', 'proposed_by')) AS w (tab, policy, author) LOOP
        EXECUTE format('ALTER POLICY %2$I ON %1$I WITH CHECK (%3$I = (SELECT scope.user_id()) AND EXISTS (SELECT FROM complaints c '
                       'WHERE c.branch_id = %1$I.branch_id AND c.id = %1$I.complaint_id AND scope.may_work_on(c)))',
                       work.tab, work.policy, work.author);
    END LOOP;
END
$$;

-- Whether the caller may change a complaint itself: agents and branch managers of its branch,
-- or its department's people.
CREATE FUNCTION scope.may_change(complaint public.complaints) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT complaint.branch_id = ANY (scope.branch_ids())
       AND (complaint.branch_id = ANY (scope.case_write_branch_ids())
            OR complaint.department_id = ANY (scope.department_ids()))
$$;
REVOKE ALL ON FUNCTION scope.may_change(public.complaints) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scope.may_change(public.complaints) TO redress_service;

-- Plans are approved, and pauses opened and ended, by those who may change the complaint.
ALTER POLICY approved ON complaint_plans
    USING (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_plans.branch_id AND c.id = complaint_plans.complaint_id
                   AND scope.may_change(c)))
    WITH CHECK (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_plans.branch_id AND c.id = complaint_plans.complaint_id
                        AND scope.may_change(c)));
ALTER POLICY recorded ON complaint_pauses
    WITH CHECK (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id
                        AND scope.may_change(c)));
ALTER POLICY ended ON complaint_pauses
    USING (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id
                   AND scope.may_change(c)))
    WITH CHECK (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id
                        AND scope.may_change(c)));

-- Whoever proposes a plan does not approve it, and a plan's two approvals come from two people.
ALTER TABLE complaint_plans ADD CONSTRAINT complaint_plans_separate_approvals CHECK (
    head_approved_by IS DISTINCT FROM proposed_by
    AND leadership_approved_by IS DISTINCT FROM proposed_by
    AND (leadership_approved_by IS NULL OR leadership_approved_by IS DISTINCT FROM head_approved_by)) NOT VALID;

-- A page is its recipient's in the recipient's branch.
ALTER POLICY visible ON pages
    USING ((recipient_user_id = (SELECT scope.user_id()) AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))
           OR EXISTS (SELECT FROM complaints c WHERE c.branch_id = pages.branch_id AND c.id = pages.complaint_id));

-- Bot keys: issued for bots only, honoured only while their user is nothing but a bot, and
-- revoked when it becomes anything else.
ALTER POLICY administered_insert ON api_keys
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])
                AND EXISTS (SELECT FROM users u WHERE u.branch_id = api_keys.branch_id AND u.id = api_keys.user_id
                              AND u.roles <@ ARRAY['bot']));

CREATE FUNCTION revoke_keys_of_former_bots() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE public.api_keys k SET revoked_at = now()
     WHERE k.branch_id = NEW.branch_id AND k.user_id = NEW.id AND k.revoked_at IS NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_revoke_keys_of_former_bots AFTER UPDATE OF roles ON users
    FOR EACH ROW WHEN (OLD.roles <@ ARRAY['bot'] AND NOT NEW.roles <@ ARRAY['bot'])
    EXECUTE FUNCTION revoke_keys_of_former_bots();

-- A revoked session or key stays revoked.
CREATE FUNCTION refuse_unrevoking() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
        RAISE EXCEPTION 'a revocation cannot be undone or changed'
            USING ERRCODE = 'insufficient_privilege', TABLE = TG_TABLE_NAME, COLUMN = 'revoked_at';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER sessions_revocation_final BEFORE UPDATE OF revoked_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION refuse_unrevoking();
CREATE TRIGGER api_keys_revocation_final BEFORE UPDATE OF revoked_at ON api_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_unrevoking();
ALTER POLICY revoke ON sessions
    WITH CHECK (revoked_at IS NOT NULL
                AND ((branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND user_id = (SELECT scope.user_id()))
                     OR branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])));
ALTER POLICY administered_update ON api_keys
    WITH CHECK (revoked_at IS NOT NULL AND branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));

-- Idempotency keys are the caller's own.
ALTER TABLE complaints DROP CONSTRAINT complaints_branch_id_idempotency_key_key;
ALTER TABLE complaints ADD CONSTRAINT complaints_idempotency_key_per_caller UNIQUE (branch_id, created_by, idempotency_key);

-- Credentials: a bot key counts only for a user who is nothing but a bot, and an HQ grant only
-- while its holder has the role it was made for.
CREATE OR REPLACE FUNCTION auth.resolve(credential_hash bytea)
    RETURNS TABLE (credential text, credential_id uuid, user_id uuid, branch_id uuid,
                   branch_code text, login text, name text, roles text[], department_ids uuid[],
                   granted_branch_ids uuid[], expires_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
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
           ARRAY(SELECT DISTINCT g.granted_branch_id FROM public.hq_grants g
                  WHERE g.branch_id = u.branch_id AND g.user_id = u.id AND g.role = ANY (u.roles)),
           c.expires_at
      FROM credential c
      JOIN public.users u ON u.branch_id = c.branch_id AND u.id = c.user_id
      JOIN public.branches b ON b.id = u.branch_id
     WHERE u.active AND (c.kind = 'session' OR u.roles <@ ARRAY['bot'])
     LIMIT 1
$$;
