-- Owner-run code that a caller cannot redirect.
--
-- PostgreSQL looks up tables in the session's temporary schema (pg_temp) FIRST unless the search
-- path names it, so a SECURITY DEFINER function whose path was only pg_catalog and public would
-- find a caller's temporary table called `complaints` before the real one, and run the caller's
-- triggers on it with the owner's rights. Three layers close that door:
--
--   * nobody but the owner may create temporary objects in this database (TEMPORARY is revoked
--     from PUBLIC; `serve` refuses a role that still has it, or CREATE on any schema);
--   * every SECURITY DEFINER function pins `search_path = pg_catalog, public, pg_temp` (pg_temp
--     last); the triggers and helpers they fire run inside that path;
--   * every relation named inside a function is schema-qualified (`public.complaints`), so no
--     search path is consulted for tables at all.
--
-- Functions that already named every table with its schema only get the pinned path; the others
-- are the earlier migrations' functions unchanged but for the schema names (and the path, for the
-- SECURITY DEFINER ones). Functions the service calls with its own rights (the reports) gain
-- nothing from a shadow table but the caller's own confusion, and are left as they are. A catalogue test (DefinerHijackTests) enumerates pg_proc so that a later
-- function cannot forget.

DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM redress_service', current_database());
END
$$;

ALTER FUNCTION audit.append(uuid,text,text,uuid,jsonb,jsonb) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit.record_access(uuid,text,text,uuid,jsonb) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit.record_change() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit.seal(integer) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit.verify() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION auth.resolve(bytea) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION auth.sign_in(text,text,text,bytea,interval,integer) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION scheduler.claim_deliveries(integer,integer) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION scheduler.escalate_due(integer) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION scheduler.escalate_follow_ups(integer) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION scheduler.next_delivery() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION scheduler.next_due() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION scheduler.record_delivery(uuid,uuid,integer,timestamp with time zone,integer,integer,text,timestamp with time zone) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION scheduler.repage_due(integer) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION scheduler.stale_branches() SET search_path = pg_catalog, public, pg_temp;

CREATE OR REPLACE FUNCTION public.check_complaint_collaborators()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF EXISTS (
        SELECT FROM unnest(NEW.collaborating_department_ids) AS wanted(id)
        WHERE NOT EXISTS (SELECT FROM public.departments d WHERE d.branch_id = NEW.branch_id AND d.id = wanted.id)
    ) THEN
        RAISE EXCEPTION 'a collaborating department does not exist in this branch'
            USING ERRCODE = 'foreign_key_violation', COLUMN = 'collaborating_department_ids',
                  CONSTRAINT = 'complaints_collaborating_department_ids_fkey', TABLE = 'complaints';
    END IF;
    RETURN NEW;
END
$function$;

CREATE OR REPLACE FUNCTION public.check_user_departments()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF EXISTS (
        SELECT FROM unnest(NEW.department_ids) AS wanted(id)
        WHERE NOT EXISTS (SELECT FROM public.departments d WHERE d.branch_id = NEW.branch_id AND d.id = wanted.id)
    ) THEN
        RAISE EXCEPTION 'a department in department_ids does not exist in this branch'
            USING ERRCODE = 'foreign_key_violation', COLUMN = 'department_ids',
                  CONSTRAINT = 'users_department_ids_fkey', TABLE = 'users';
    END IF;
    RETURN NEW;
END
$function$;

CREATE OR REPLACE FUNCTION public.complete_follow_up()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    named uuid := nullif(current_setting('redress.follow_up_id', true), '')::uuid;
BEGIN
    UPDATE public.follow_ups f
       SET status = 'done', survey_id = NEW.id, completed_by = NEW.recorded_by, completed_at = NEW.recorded_at
     WHERE f.branch_id = NEW.branch_id
       AND f.id = (SELECT o.id FROM public.follow_ups o
                    WHERE o.branch_id = NEW.branch_id AND o.complaint_id = NEW.complaint_id AND o.status = 'due'
                      AND (named IS NULL OR o.id = named)
                    ORDER BY o.due_at, o.id LIMIT 1);
    RETURN NULL;
END
$function$;

CREATE OR REPLACE FUNCTION public.forget_deleted_department()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    UPDATE public.users SET department_ids = array_remove(department_ids, OLD.id), updated_at = now()
     WHERE branch_id = OLD.branch_id AND OLD.id = ANY (department_ids);
    RETURN OLD;
END
$function$;

CREATE OR REPLACE FUNCTION public.schedule_follow_ups()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    policy jsonb := (SELECT p.document FROM public.sla_policies p WHERE p.branch_id = NEW.branch_id AND p.id = NEW.sla_policy_id);
BEGIN
    IF NEW.status = 'result_fed_back' AND OLD.status NOT IN ('result_fed_back', 'follow_up') THEN
        INSERT INTO public.follow_ups (branch_id, complaint_id, kind, due_at)
        VALUES (NEW.branch_id, NEW.id, 'satisfaction',
                now() + make_interval(hours => coalesce((policy ->> 'followUpHours')::integer, 24)));
        PERFORM pg_notify('redress_deadlines', NEW.branch_id::text || ':' || NEW.id::text);
    ELSIF NEW.status = 'investigating' AND OLD.status IN ('result_fed_back', 'follow_up', 'closed', 'archived') THEN
        UPDATE public.follow_ups SET status = 'cancelled', completed_at = now()
         WHERE branch_id = NEW.branch_id AND complaint_id = NEW.id AND status = 'due';
    ELSIF NEW.status = 'closed' AND OLD.status <> 'closed' THEN
        UPDATE public.follow_ups SET status = 'cancelled', completed_at = now()
         WHERE branch_id = NEW.branch_id AND complaint_id = NEW.id AND status = 'due' AND kind = 'satisfaction';
        IF NEW.nature <> 'invalid' THEN
            INSERT INTO public.follow_ups (branch_id, complaint_id, kind, due_at)
            SELECT NEW.branch_id, NEW.id, 'callback', now() + make_interval(days => days::integer)
              FROM jsonb_array_elements_text(coalesce(policy -> 'followUpCallbackDays', '[]'::jsonb)) AS d (days);
        END IF;
    END IF;
    RETURN NULL;
END
$function$;

CREATE OR REPLACE FUNCTION public.seed_categories(branch uuid)
 RETURNS void
 LANGUAGE sql
AS $function$
    INSERT INTO public.categories (branch_id, code, name)
    SELECT branch, c.code, c.name
      FROM (VALUES ('network_quality', 'Service and network quality'), ('billing', 'Tariff and billing'),
                   ('business_handling', 'Business handling'), ('product_quality', 'Product quality'),
                   ('service_attitude', 'Service attitude'), ('after_sales', 'After-sales'),
                   ('delivery', 'Delivery'), ('system_failure', 'System failure'),
                   ('policy_information', 'Policy and information'), ('other', 'Other')) AS c (code, name)
    ON CONFLICT DO NOTHING
$function$;

CREATE OR REPLACE FUNCTION public.seed_sla(branch uuid)
 RETURNS void
 LANGUAGE sql
AS $function$
    INSERT INTO public.branch_calendars (branch_id, hours)
    VALUES (branch, '{"2": [[540, 720], [780, 1080]], "3": [[540, 720], [780, 1080]], "4": [[540, 720], [780, 1080]],
                      "5": [[540, 720], [780, 1080]], "6": [[540, 720], [780, 1080]]}')
    ON CONFLICT DO NOTHING;
    INSERT INTO public.sla_policies (branch_id, name, document)
    VALUES (branch, 'Standard', '{"counting": "calendar_hours",
            "milestoneHours": {"acknowledge": 24, "initial_reply": 48, "preliminary_feedback": 72},
            "resultHours": {"urgent": 24, "important": 48, "general": 72},
            "ladder": [{"tier": 1, "afterHours": 24, "recipients": ["department_head", "bots"]},
                       {"tier": 2, "afterHours": 48, "recipients": ["branch_manager", "complaint_office", "bots"]},
                       {"tier": 3, "afterHours": 72, "recipients": ["executives", "bots"]}]}')
    ON CONFLICT DO NOTHING
$function$;

CREATE OR REPLACE FUNCTION retention.apply(archive_after interval, erase_after interval, dry_run boolean, batch integer DEFAULT 1000)
 RETURNS TABLE(branch_id uuid, complaint_id uuid, case_number text, action text, closed_at timestamp with time zone)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
#variable_conflict use_column
BEGIN
    IF archive_after < interval '1 day' OR erase_after < interval '365 days' THEN
        RAISE EXCEPTION 'archive after at least a day, erase after at least a year' USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
    WITH due AS (
        SELECT c.branch_id, c.id, c.case_number, c.closed_at,
               CASE WHEN c.closed_at < now() - erase_after AND c.erased_at IS NULL THEN 'erase' ELSE 'archive' END AS action
          FROM public.complaints c
         WHERE c.status IN ('closed', 'archived') AND c.closed_at IS NOT NULL
           AND ((c.status = 'closed' AND c.closed_at < now() - archive_after
                 AND NOT EXISTS (SELECT FROM public.follow_ups f WHERE f.branch_id = c.branch_id AND f.complaint_id = c.id AND f.status = 'due'))
                OR (c.closed_at < now() - erase_after AND c.erased_at IS NULL))
         ORDER BY c.closed_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), changed AS (
        UPDATE public.complaints c
           SET status = 'archived',
               complainant_sealed = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_sealed END,
               complainant_key_id = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_key_id END,
               complainant_phone_index = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_phone_index END,
               complainant_name = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_name END,
               complainant_phone = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_phone END,
               complainant_email = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_email END,
               complainant_address = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_address END,
               customer_ref = CASE WHEN d.action = 'erase' THEN NULL ELSE c.customer_ref END,
               description = CASE WHEN d.action = 'erase' THEN 'erased after the retention period' ELSE c.description END,
               desired_outcome = CASE WHEN d.action = 'erase' THEN NULL ELSE c.desired_outcome END,
               location = CASE WHEN d.action = 'erase' THEN NULL ELSE c.location END,
               resolution = CASE WHEN d.action = 'erase' THEN NULL ELSE c.resolution END,
               party = CASE WHEN d.action = 'erase' THEN NULL ELSE c.party END,
               erased_at = CASE WHEN d.action = 'erase' THEN now() ELSE c.erased_at END,
               updated_at = now()
          FROM due d
         WHERE NOT dry_run AND c.branch_id = d.branch_id AND c.id = d.id
        RETURNING c.branch_id, c.id
    ), communications AS (
        UPDATE public.complaint_communications m SET content = 'erased after the retention period'
          FROM due d
         WHERE NOT dry_run AND d.action = 'erase' AND m.branch_id = d.branch_id AND m.complaint_id = d.id
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after)
        SELECT d.branch_id, d.id, CASE d.action WHEN 'erase' THEN 'erased' ELSE 'archived' END, jsonb_build_object('reason', 'retention')
          FROM due d
         WHERE NOT dry_run
    )
    SELECT d.branch_id, d.id, d.case_number, d.action, d.closed_at FROM due d;
END
$function$;

CREATE OR REPLACE FUNCTION scheduler.enqueue_deliveries()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO public.page_deliveries (branch_id, page_id, webhook_id)
    SELECT p.branch_id, p.id, w.id
      FROM new_pages p
      JOIN public.webhooks w ON w.branch_id = p.branch_id AND w.user_id = p.recipient_user_id AND w.active;
    IF FOUND THEN
        PERFORM pg_notify('redress_deliveries', '');
    END IF;
    PERFORM pg_notify('redress_pages', r.user_id::text) FROM (SELECT DISTINCT recipient_user_id AS user_id FROM new_pages) r;
    RETURN NULL;
END
$function$;

CREATE OR REPLACE FUNCTION scheduler.mark_sla_stale()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
DECLARE
    branch uuid;
BEGIN
    IF TG_TABLE_NAME = 'branches' THEN
        branch := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        branch := OLD.branch_id;
    ELSE
        branch := NEW.branch_id;
    END IF;
    UPDATE public.complaints SET sla_stale = true
     WHERE branch_id = branch AND status NOT IN ('closed', 'archived') AND NOT sla_stale;
    PERFORM pg_notify('redress_deadlines', 'sla:' || branch::text);
    RETURN NULL;
END
$function$;

CREATE OR REPLACE FUNCTION scheduler.note_escalations()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after)
    SELECT e.branch_id, e.complaint_id, 'escalated',
           jsonb_build_object('tier', e.tier::text, 'dueAt', to_json(e.due_at) #>> '{}', 'lateSeconds', e.late_seconds::text,
                              'departmentId', e.department_id::text, 'routed', e.routed::text)
               || CASE WHEN e.follow_up_id IS NOT NULL THEN jsonb_build_object('followUpId', e.follow_up_id::text)
                       ELSE '{}'::jsonb END
      FROM recorded_escalations e;
    RETURN NULL;
END
$function$;

CREATE OR REPLACE FUNCTION scheduler.stop_repaging()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
BEGIN
    UPDATE public.escalations SET ack_due_at = NULL
     WHERE branch_id = NEW.branch_id AND id = NEW.escalation_id AND ack_due_at IS NOT NULL;
    RETURN NULL;
END
$function$;
