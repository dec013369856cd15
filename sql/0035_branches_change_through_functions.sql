-- Nothing fires on `branches` any more, and no trigger sends a notification. On Citus `branches`
-- is a reference table, copied to every node, and its triggers fire once per copy; a
-- notification sent by a trigger on a shard stays on that worker, or aborts a write to several
-- shards (docs/scaling.md). A branch is now made by public.create_branch and changed by
-- public.change_branch, which seed it, mark its open complaints' deadlines for recomputation when
-- its time zone changes, and write its audit entries themselves; whoever changes an SLA policy, a
-- calendar or a complaint's status wakes the scheduler from its own connection.

-- One audit entry for one changed row, as the `audited` trigger writes it (0024), for callers that
-- change a row without a trigger.
CREATE FUNCTION audit.record_row_change(audited_table text, operation text, old_full jsonb, new_full jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    old_row jsonb := audit.redact(audited_table, old_full);
    new_row jsonb := audit.redact(audited_table, new_full);
    row_data jsonb := coalesce(new_row, old_row);
    branch uuid := CASE WHEN audited_table = 'branches' THEN (row_data ->> 'id')::uuid ELSE (row_data ->> 'branch_id')::uuid END;
    marks jsonb;
BEGIN
    IF audited_table IS NULL OR operation NOT IN ('INSERT', 'UPDATE', 'DELETE') THEN
        RAISE EXCEPTION 'audit.record_row_change needs a table and INSERT, UPDATE or DELETE';
    END IF;
    IF operation = 'UPDATE' THEN
        SELECT jsonb_object_agg(f.key, 'changed') INTO marks
          FROM jsonb_each(old_full) f
         WHERE new_full -> f.key IS DISTINCT FROM f.value
           AND new_row -> f.key IS NOT DISTINCT FROM old_row -> f.key;
        SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, new_row -> o.key)
          INTO old_row, new_row
          FROM jsonb_each(old_row) o
         WHERE new_row -> o.key IS DISTINCT FROM o.value;
        IF marks IS NOT NULL THEN
            old_row := coalesce(old_row, '{}'::jsonb) || marks;
            new_row := coalesce(new_row, '{}'::jsonb) || marks;
        END IF;
        IF old_row IS NULL THEN
            RETURN;
        END IF;
    END IF;
    PERFORM audit.append(branch, lower(operation), audited_table,
                         CASE WHEN row_data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (row_data ->> 'id')::uuid
                              WHEN row_data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (row_data ->> 'complaint_id')::uuid END,
                         old_row, new_row);
END
$$;
REVOKE ALL ON FUNCTION audit.record_row_change(text, text, jsonb, jsonb) FROM PUBLIC;

CREATE OR REPLACE FUNCTION audit.record_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    -- A child row's copy of its complaint's visibility, and the digests tying the two (0033), are
    -- derived from the complaint's own columns, audited there; so are the marks that a user is a
    -- bot or holds HQ grants, and their copies on keys and grants (0036).
    copied text[] := ARRAY['case_department_id', 'case_collaborating_department_ids', 'case_responsible_user_id', 'case_key',
                           'visibility_key', 'is_bot', 'user_is_bot', 'holds_hq_grants', 'user_holds_hq_grants'];
BEGIN
    IF TG_ARGV[0] IS NULL THEN
        RAISE EXCEPTION 'audit.record_change needs the name of its table as its argument';
    END IF;
    PERFORM audit.record_row_change(TG_ARGV[0], TG_OP,
                                    CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - copied END,
                                    CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - copied END);
    RETURN NULL;
END
$$;

DROP TRIGGER audited ON public.branches;
DROP TRIGGER branches_seed_categories ON public.branches;
DROP TRIGGER branches_seed_sla ON public.branches;
DROP TRIGGER branches_time_zone_changed ON public.branches;
DROP FUNCTION public.seed_branch_categories();
DROP FUNCTION public.seed_branch_sla();

-- A new branch with its categories, its working calendar and its standard SLA policy. Operators
-- call it as the owner (`redress demo`, or the owner's SQL); it is not the service's.
CREATE FUNCTION public.create_branch(branch_code text, branch_name text, branch_region text, branch_time_zone text) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    created public.branches;
BEGIN
    INSERT INTO public.branches (code, name, region, time_zone)
    VALUES (branch_code, branch_name, coalesce(branch_region, ''), branch_time_zone)
    RETURNING * INTO created;
    PERFORM public.seed_categories(created.id);
    PERFORM public.seed_sla(created.id);
    PERFORM audit.record_row_change('branches', 'INSERT', NULL, to_jsonb(created));
    RETURN created.id;
END
$$;
REVOKE ALL ON FUNCTION public.create_branch(text, text, text, text) FROM PUBLIC;

-- An admin renames their branch or changes its region or time zone (NULL keeps a value). A new
-- time zone moves every open deadline counted in local time, so the branch's open complaints are
-- marked for recomputation and the scheduler is woken. Returns no row unless the caller
-- administers the branch. The service sends it alone in its transaction (the definer's writes
-- would otherwise meet the service's own on the same shards).
CREATE FUNCTION public.change_branch(branch uuid, new_name text, new_region text, new_time_zone text)
    RETURNS SETOF public.branches
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    before public.branches;
    after public.branches;
BEGIN
    IF branch IS NULL OR NOT branch = ANY (scope.admin_branch_ids()::uuid[]) THEN
        RETURN;
    END IF;
    -- Locks the row and reads it as it stands, after any change committed meanwhile: an update that
    -- changes nothing, as a claim on the reference table names its row by `id`, not `branch_id`.
    UPDATE public.branches b SET updated_at = b.updated_at WHERE b.id = branch RETURNING * INTO before;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE public.branches b
       SET name = coalesce(new_name, b.name), region = coalesce(new_region, b.region),
           time_zone = coalesce(new_time_zone, b.time_zone), updated_at = now()
     WHERE b.id = branch
    RETURNING * INTO after;
    IF after.time_zone IS DISTINCT FROM before.time_zone THEN
        UPDATE public.complaints c SET sla_stale = true
         WHERE c.branch_id = branch AND c.status NOT IN ('closed', 'archived') AND NOT c.sla_stale;
        PERFORM pg_notify('redress_deadlines', 'sla:' || branch::text);
    END IF;
    PERFORM audit.record_row_change('branches', 'UPDATE', to_jsonb(before), to_jsonb(after));
    RETURN NEXT after;
END
$$;
REVOKE ALL ON FUNCTION public.change_branch(uuid, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.change_branch(uuid, text, text, text) TO redress_service;
REVOKE UPDATE ON public.branches FROM redress_service;
DROP POLICY administered ON public.branches;

-- A changed SLA policy or calendar marks the branch's open deadlines for recomputation; the
-- service wakes the scheduler itself (SLAConfigurationStore).
CREATE OR REPLACE FUNCTION scheduler.mark_sla_stale() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    branch uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.branch_id ELSE NEW.branch_id END;
BEGIN
    UPDATE public.complaints SET sla_stale = true
     WHERE branch_id = branch AND status NOT IN ('closed', 'archived') AND NOT sla_stale;
    RETURN NULL;
END
$$;

-- Follow-ups scheduled as the complaint's status moves (as in 0033); the store that moves the
-- status wakes the scheduler (ComplaintStore+Steps).
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
        INSERT INTO public.follow_ups (branch_id, complaint_id, kind, due_at,
                                       case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        VALUES (NEW.branch_id, NEW.id, 'satisfaction',
                now() + make_interval(hours => coalesce((policy ->> 'followUpHours')::integer, 24)),
                NEW.department_id, NEW.collaborating_department_ids, NEW.responsible_user_id);
    ELSIF NEW.status = 'investigating' AND OLD.status IN ('result_fed_back', 'follow_up', 'closed', 'archived') THEN
        UPDATE public.follow_ups SET status = 'cancelled', completed_at = now()
         WHERE branch_id = NEW.branch_id AND complaint_id = NEW.id AND status = 'due';
    ELSIF NEW.status = 'closed' AND OLD.status <> 'closed' THEN
        UPDATE public.follow_ups SET status = 'cancelled', completed_at = now()
         WHERE branch_id = NEW.branch_id AND complaint_id = NEW.id AND status = 'due' AND kind = 'satisfaction';
        IF NEW.nature <> 'invalid' THEN
            INSERT INTO public.follow_ups (branch_id, complaint_id, kind, due_at,
                                           case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT NEW.branch_id, NEW.id, 'callback', now() + make_interval(days => days::integer),
                   NEW.department_id, NEW.collaborating_department_ids, NEW.responsible_user_id
              FROM jsonb_array_elements_text(coalesce(policy -> 'followUpCallbackDays', '[]'::jsonb)) AS d (days);
        END IF;
    END IF;
    RETURN NULL;
END
$function$;
