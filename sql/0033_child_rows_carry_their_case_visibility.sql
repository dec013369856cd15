-- A complaint's child rows (timeline, hand-overs, communications, evidence, findings, surveys,
-- pauses, plans, escalations, pages, follow-ups) carry a copy of what decides who sees the
-- complaint: its department, collaborating departments and responsible person. Their policies read
-- the copy instead of the complaint: Citus refuses a sub-select in a policy on a distributed table,
-- and a function reading `complaints` from a policy fails on the shards ("cannot execute a
-- distributed query from a query on a shard"). docs/scaling.md, "Child rows and their complaint".
--
-- The database holds every copy true: a digest of the three values (`visibility_key`, `case_key`)
-- is a generated column on both sides, and a foreign key deferred to commit ties a child row's
-- digest to its complaint's. A child row claiming another department than its complaint's, or
-- left behind when the complaint moved, fails the commit; no caller can widen who sees a row.
--
-- What keeps the commits from failing:
--   - whoever writes a child row copies the complaint's values in the same statement or
--     transaction: the store (`CaseVisibility`), the scheduler's claims (0026, 0028), the retention
--     functions (0026, 0032) and the follow-up trigger below;
--   - a change of the complaint's department, collaborators or responsible person copies the new
--     values onto every child row in the same transaction (`follow_case`), holding the case's
--     advisory lock exclusively, while the store's writers of child rows hold it shared, and the
--     scheduler's claims lock the complaint row, so that no row written meanwhile keeps the old values.
-- The copies are not audited (the complaint's own change is), and evidence stays immutable in every
-- other column.

-- The tables of a complaint's rows, which carry its visibility.
CREATE FUNCTION public.case_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['complaint_events', 'complaint_handovers', 'complaint_communications', 'complaint_evidence',
                       'complaint_findings', 'complaint_surveys', 'complaint_pauses', 'complaint_plans',
                       'escalations', 'pages', 'follow_ups'] $$;
REVOKE ALL ON FUNCTION public.case_tables() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.case_tables() TO redress_service;

-- The copies, filled from the complaints as they are now further down.

DO $$
DECLARE
    child text;
BEGIN
    FOREACH child IN ARRAY public.case_tables() LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN case_department_id uuid, '
                       'ADD COLUMN case_collaborating_department_ids uuid[] NOT NULL DEFAULT ''{}'', '
                       'ADD COLUMN case_responsible_user_id uuid', child);
        EXECUTE format('GRANT UPDATE (case_department_id, case_collaborating_department_ids, case_responsible_user_id) '
                       'ON %I TO redress_service', child);
    END LOOP;
    FOREACH child IN ARRAY array_remove(array_remove(array_remove(public.case_tables(), 'escalations'), 'pages'), 'follow_ups') LOOP
        EXECUTE format('GRANT INSERT (case_department_id, case_collaborating_department_ids, case_responsible_user_id) '
                       'ON %I TO redress_service', child);
    END LOOP;
END
$$;

-- The lock a case's writers share and a change of its visibility holds alone (an advisory
-- transaction lock, keyed by the complaint).
CREATE FUNCTION public.case_lock_key(complaint uuid) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT hashtextextended('redress.case:' || complaint::text, 0) $$;

-- Copies a complaint's visibility, as the caller now sees it, onto its child rows that hold
-- another; with the caller's rights (the service changing the complaint, or the scheduler's claims).
CREATE FUNCTION public.follow_case(branch uuid, complaint uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    c record;
    child text;
    changed integer;
    total integer := 0;
BEGIN
    SELECT x.department_id, x.collaborating_department_ids, x.responsible_user_id INTO c
      FROM public.complaints x WHERE x.branch_id = branch AND x.id = complaint;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    FOREACH child IN ARRAY public.case_tables() LOOP
        EXECUTE format('UPDATE public.%I SET case_department_id = $3, case_collaborating_department_ids = $4, '
                       'case_responsible_user_id = $5 WHERE branch_id = $1 AND complaint_id = $2 '
                       'AND (case_department_id, case_collaborating_department_ids, case_responsible_user_id) '
                       'IS DISTINCT FROM ($3, $4, $5)', child)
            USING branch, complaint, c.department_id, c.collaborating_department_ids, c.responsible_user_id;
        GET DIAGNOSTICS changed = ROW_COUNT;
        total := total + changed;
    END LOOP;
    RETURN total;
END
$$;
REVOKE ALL ON FUNCTION public.case_lock_key(uuid), public.follow_case(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.case_lock_key(uuid), public.follow_case(uuid, uuid) TO redress_service;

-- A copy following its complaint is no change of evidence (nor an audit entry: 0024 leaves the
-- copies out). Then the copies are filled.
CREATE OR REPLACE FUNCTION public.refuse_evidence_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    erasable text[] := ARRAY['content', 'content_erased_at', 'source', 'description', 'collected_by'];
    copied text[] := ARRAY['case_department_id', 'case_collaborating_department_ids', 'case_responsible_user_id', 'case_key'];
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - copied) = (to_jsonb(OLD) - copied) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('redress.evidence_erasure', true) = 'on'
       AND NEW.content IS NULL AND NEW.content_erased_at IS NOT NULL
       AND (to_jsonb(NEW) - erasable - copied) = (to_jsonb(OLD) - erasable - copied) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'evidence is immutable once recorded'
        USING ERRCODE = 'insufficient_privilege', TABLE = 'complaint_evidence';
END
$$;

DO $$
DECLARE
    child text;
BEGIN
    FOREACH child IN ARRAY public.case_tables() LOOP
        EXECUTE format('UPDATE %I x SET case_department_id = c.department_id, '
                       'case_collaborating_department_ids = c.collaborating_department_ids, '
                       'case_responsible_user_id = c.responsible_user_id '
                       'FROM complaints c WHERE c.branch_id = x.branch_id AND c.id = x.complaint_id', child);
    END LOOP;
END
$$;

-- The digests and the foreign keys that tie each copy to its complaint.
CREATE FUNCTION public.case_visibility_key(department uuid, collaborating uuid[], responsible uuid) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog
    AS $$ SELECT md5(coalesce(department::text, '-') || '|' || array_to_string(collaborating, ',') || '|'
                     || coalesce(responsible::text, '-')) $$;
ALTER TABLE complaints ADD COLUMN visibility_key text NOT NULL
    GENERATED ALWAYS AS (public.case_visibility_key(department_id, collaborating_department_ids, responsible_user_id)) STORED;
CREATE UNIQUE INDEX complaints_visibility ON complaints (branch_id, id, visibility_key);
DO $$
DECLARE
    child text;
BEGIN
    FOREACH child IN ARRAY public.case_tables() LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN case_key text NOT NULL GENERATED ALWAYS AS '
                       '(public.case_visibility_key(case_department_id, case_collaborating_department_ids, case_responsible_user_id)) STORED', child);
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (branch_id, complaint_id, case_key) '
                       'REFERENCES complaints (branch_id, id, visibility_key) DEFERRABLE INITIALLY DEFERRED',
                       child, child || '_case_visibility');
    END LOOP;
END
$$;

-- A page's recipient notes its acknowledgement on the timeline of a case they may not otherwise
-- work on. The entry names its page, and the foreign key holds that the page is on that complaint
-- and addressed to the entry's actor (checked by PostgreSQL without row-level security, so the
-- policy need not read `pages`).
CREATE UNIQUE INDEX pages_complaint_recipient ON pages (branch_id, id, complaint_id, recipient_user_id);
ALTER TABLE complaint_events ADD COLUMN page_id uuid;
UPDATE complaint_events e SET page_id = p.id
  FROM pages p
 WHERE e.kind = 'page_acknowledged' AND p.branch_id = e.branch_id AND p.id::text = e.after ->> 'pageId'
   AND p.complaint_id = e.complaint_id AND p.recipient_user_id = e.actor_id;
ALTER TABLE complaint_events ADD CONSTRAINT complaint_events_page_recipient
    FOREIGN KEY (branch_id, page_id, complaint_id, actor_id) REFERENCES pages (branch_id, id, complaint_id, recipient_user_id);
CREATE INDEX complaint_events_page ON complaint_events (branch_id, page_id) WHERE page_id IS NOT NULL;
GRANT INSERT (page_id) ON complaint_events TO redress_service;

-- The child tables' policies ask the complaint's questions (0009, 0020) of the copy, in the form
-- the complaint's own policies use: each scope function in a sub-select, evaluated once per
-- statement. Citus takes no sub-select in a policy; `redress citus distribute` calls the functions
-- directly instead, which PostgreSQL alone would evaluate for every row it filters (docs/scaling.md).
DO $$
DECLARE
    sees text := '(branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                   AND (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                        OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                        OR case_collaborating_department_ids && (SELECT scope.department_ids())
                        OR case_responsible_user_id = (SELECT scope.user_id())))';
    works text := '(branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                    AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                         OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                         OR case_collaborating_department_ids && (SELECT scope.department_ids())
                         OR case_responsible_user_id = (SELECT scope.user_id())))';
    changes text := '(branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                      AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                           OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])))';
    child text;
BEGIN
    FOREACH child IN ARRAY array_remove(public.case_tables(), 'pages') LOOP
        EXECUTE format('ALTER POLICY visible ON %I USING %s', child, sees);
    END LOOP;
    -- A page's recipient sees their page whoever else sees its case.
    EXECUTE format('ALTER POLICY visible ON pages USING ((recipient_user_id = (SELECT scope.user_id()) '
                   'AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])) OR %s)', sees);
    -- Following the complaint: whoever may change the case, before and after, as the complaint's own
    -- `handling` policy asks of it (so a copy forged onto a case and then put right is refused too).
    FOREACH child IN ARRAY public.case_tables() LOOP
        EXECUTE format('CREATE POLICY follows_its_case ON %I FOR UPDATE TO redress_service USING %s WITH CHECK %s',
                       child, changes, changes);
    END LOOP;
    -- Writing a child row: as before, as oneself, on a case one may work on (or change, for pauses
    -- and plan approvals), now judged by the row's copy.
    EXECUTE format('ALTER POLICY recorded ON complaint_handovers WITH CHECK (by_user_id = (SELECT scope.user_id()) AND %s)', works);
    FOREACH child IN ARRAY ARRAY['complaint_communications', 'complaint_evidence', 'complaint_findings', 'complaint_surveys'] LOOP
        EXECUTE format('ALTER POLICY recorded ON %I WITH CHECK (recorded_by = (SELECT scope.user_id()) AND %s)', child, works);
    END LOOP;
    EXECUTE format('ALTER POLICY proposed ON complaint_plans WITH CHECK (proposed_by = (SELECT scope.user_id()) AND %s)', works);
    EXECUTE format('ALTER POLICY approved ON complaint_plans USING %s WITH CHECK %s', changes, changes);
    EXECUTE format('ALTER POLICY recorded ON complaint_pauses WITH CHECK %s', changes);
    EXECUTE format('ALTER POLICY ended ON complaint_pauses USING %s WITH CHECK %s', changes, changes);
    -- A timeline entry: one may work on the case, or it notes the acknowledgement of one's own page
    -- (the foreign key below holds that the page was one's own).
    EXECUTE format('ALTER POLICY recorded ON complaint_events WITH CHECK (actor_id = (SELECT scope.user_id()) AND (%s '
                   'OR (kind = ''page_acknowledged'' AND page_id IS NOT NULL AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))))',
                   works);
END
$$;

-- Copying a case's visibility onto its pages must not let whoever may change the case acknowledge
-- pages addressed to someone else (the copy needs an update policy the acknowledgement would share).
CREATE FUNCTION public.refuse_acknowledging_for_another() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF NOT pg_has_role('redress_platform', 'MEMBER') AND OLD.recipient_user_id IS DISTINCT FROM scope.user_id() THEN
        RAISE EXCEPTION 'only its recipient acknowledges a page'
            USING ERRCODE = 'insufficient_privilege', TABLE = 'pages';
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION public.refuse_acknowledging_for_another() FROM PUBLIC;
CREATE TRIGGER pages_acknowledged_by_recipient BEFORE UPDATE OF acknowledged_at ON pages
    FOR EACH ROW WHEN (OLD.acknowledged_at IS DISTINCT FROM NEW.acknowledged_at)
    EXECUTE FUNCTION public.refuse_acknowledging_for_another();

-- Follow-ups scheduled as the complaint's status moves carry its visibility (otherwise as in 0017).
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
        PERFORM pg_notify('redress_deadlines', NEW.branch_id::text || ':' || NEW.id::text);
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
