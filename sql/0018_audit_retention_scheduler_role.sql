-- The scheduler's own role.
--
-- redress_scheduler: the background work (escalations, re-paging, follow-ups, webhook delivery,
-- sealing the audit trail, retention, recomputing stale deadlines) runs as this role, not as the
-- API's redress_service. The scheduler functions cross every branch and hand out webhook
-- secrets, so the API's role can no longer call them; it is not a member of this role either.
--
-- Every function here pins search_path with pg_temp last and names every relation with its schema.

-- 1. The scheduler's role ---------------------------------------------------------------------

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'redress_scheduler') THEN
        CREATE ROLE redress_scheduler NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
DO $$
BEGIN
    IF pg_has_role('redress_service', 'redress_scheduler', 'MEMBER') THEN
        REVOKE redress_scheduler FROM redress_service;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public, scope, scheduler, audit, retention TO redress_scheduler;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA scope TO redress_scheduler;

-- The API's role loses every scheduler function, sealing and retention.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA scheduler FROM PUBLIC, redress_service;
REVOKE USAGE ON SCHEMA scheduler FROM redress_service;
REVOKE EXECUTE ON FUNCTION audit.seal(integer) FROM PUBLIC, redress_service;
REVOKE EXECUTE ON FUNCTION retention.apply(interval, interval, boolean, integer) FROM PUBLIC, redress_service;
REVOKE USAGE ON SCHEMA retention FROM redress_service;
-- Functions the owner adds to the scheduler schema later are not executable by everyone either.
ALTER DEFAULT PRIVILEGES IN SCHEMA scheduler REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

GRANT EXECUTE ON FUNCTION scheduler.escalate_due(integer), scheduler.repage_due(integer),
    scheduler.escalate_follow_ups(integer), scheduler.next_due(), scheduler.stale_branches(),
    scheduler.claim_deliveries(integer, integer),
    scheduler.record_delivery(uuid, uuid, integer, timestamptz, integer, integer, text, timestamptz),
    scheduler.next_delivery(), audit.seal(integer), retention.apply(interval, interval, boolean, integer)
    TO redress_scheduler;

-- Recomputing stale deadlines runs in Swift with the system scope of one branch: it reads the
-- complaint, its branch's time zone, calendar, policies and the complaint's pauses, and stores
-- the new schedule. Only those columns, only within the branch the scope names.
GRANT SELECT, UPDATE (sla_policy_id, sla_deadlines, sla_completed, due_at, next_escalation_tier, next_escalation_at,
                      escalation_due_at, sla_stale) ON public.complaints TO redress_scheduler;
GRANT SELECT (id, time_zone) ON public.branches TO redress_scheduler;
GRANT SELECT (branch_id, hours, holidays, make_up_days) ON public.branch_calendars TO redress_scheduler;
GRANT SELECT (branch_id, id, name, document, active) ON public.sla_policies TO redress_scheduler;
GRANT SELECT (branch_id, complaint_id, started_at, ended_at) ON public.complaint_pauses TO redress_scheduler;
CREATE POLICY scheduled ON public.complaints FOR SELECT TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[]));
CREATE POLICY rescheduled ON public.complaints FOR UPDATE TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[]));
CREATE POLICY scheduled ON public.branches FOR SELECT TO redress_scheduler
    USING (id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY scheduled ON public.branch_calendars FOR SELECT TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY scheduled ON public.sla_policies FOR SELECT TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY scheduled ON public.complaint_pauses FOR SELECT TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));

-- Readiness reports how far the scheduler fleet is behind; the API's role asks here, not in the
-- scheduler schema. Only a time is returned.
CREATE FUNCTION public.next_scheduled_work() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$ SELECT scheduler.next_due() $$;
REVOKE ALL ON FUNCTION public.next_scheduled_work() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.next_scheduled_work() TO redress_service, redress_scheduler;
