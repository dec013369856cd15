-- The scheduler's claims write their own audit entries. An escalation burst changes rows of four
-- audited tables (the complaint's next deadline, its escalations, their timeline entries and
-- pages), and the audit triggers were most of its cost: Citus runs only row triggers on a
-- distributed table, which paid a trigger call and a statement per audited row. Now the functions
-- that claim due tiers and alarms (`scheduler.escalate_due`, `scheduler.raise_alarms`), the
-- rerouting before them (`scheduler.reroute_due`) and the pages they send (`scheduler.page`)
-- enter their changed rows into the trail themselves, a statement's rows at a time, and the audit
-- triggers pass over what they write. The entries are those the triggers wrote: one per inserted
-- row, one per updated row that changed, computed by the same rules (`audit.record_rows`, which
-- the statement triggers now call too); the sealer chains them as before.
--
-- Who may write without the triggers is a role, `redress_audit_writer`, and nothing else: the
-- triggers run unless the statement runs as that role (`WHEN (current_user <> …)`), evaluated in
-- the writer's context, which no setting or argument can fake. The role cannot log in and no one
-- is a member of it but the owner, who owns the trail anyway. It owns the definer functions of an
-- escalation's and an alarm's transaction (`reroute_due`, `escalate_due`, `raise_alarms`,
-- `join_complaint_office`), and `scheduler.page` and `public.follow_case` run as their caller. A
-- function running as the writer enters what it changes itself; run as anyone else (`page`
-- called by the owner's re-paging and follow-ups), it leaves that to the triggers, so re-owning a
-- function moves its entries back to the triggers without losing any. On Citus every statement
-- of a claim's transaction runs as the one role, as it ran as the owner before (Citus refuses a
-- placement written by two users in one transaction); the role must exist on every node.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'redress_audit_writer') THEN
        CREATE ROLE redress_audit_writer NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
-- It sees and changes rows as the owner's functions do (the platform policies), and the owner
-- may make it the owner of functions and replace them.
GRANT redress_platform TO redress_audit_writer;
GRANT redress_audit_writer TO CURRENT_USER;
GRANT USAGE ON SCHEMA public, scope, scheduler, audit TO redress_audit_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO redress_audit_writer;
GRANT INSERT, UPDATE ON public.complaints, public.escalations, public.complaint_events, public.complaint_handovers, public.pages,
    public.page_deliveries TO redress_audit_writer;
DO $$
DECLARE
    child text;
BEGIN
    -- The rerouting's `follow_case` updates the copy of the case's visibility on its child rows.
    FOREACH child IN ARRAY public.case_tables() LOOP
        EXECUTE format('GRANT UPDATE (case_department_id, case_collaborating_department_ids, case_responsible_user_id) ON public.%I '
                       'TO redress_audit_writer', child);
    END LOOP;
END
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA scheduler, scope TO redress_audit_writer;
GRANT EXECUTE ON FUNCTION public.case_tables(), public.case_lock_key(uuid), public.follow_case(uuid, uuid) TO redress_audit_writer;

-- The entries of a statement's changed rows, in the order given: `old_rows` and `new_rows` are
-- the rows (`to_jsonb`) before and after, for an update paired by position. As the triggers wrote
-- them: an inserted or deleted row whole, an updated one by the fields that changed (none: no
-- entry), hidden fields left out or named "changed", copied fields left out; the branch and the
-- entity from the row, the actor from the transaction's scope.
CREATE FUNCTION audit.record_rows(entity text, action text, old_rows jsonb[], new_rows jsonb[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    SET work_mem = '64MB'
    AS $$
DECLARE
    copied text[] := audit.copied_columns();
    hidden text[] := audit.hidden_columns(entity);
    common text[] := audit.hidden_columns();
BEGIN
    IF coalesce(entity, '') = '' THEN
        RAISE EXCEPTION 'audit.record_rows needs the name of the rows'' table' USING ERRCODE = '22023';
    END IF;
    IF action = 'update' AND cardinality(old_rows) IS DISTINCT FROM cardinality(new_rows) THEN
        RAISE EXCEPTION 'audit.record_rows pairs % rows before with % after', cardinality(old_rows), cardinality(new_rows)
            USING ERRCODE = '22023';
    END IF;
    IF action IN ('insert', 'delete') THEN
        INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
        WITH changed AS MATERIALIZED (
            SELECT r.data - copied AS data, r.position
              FROM unnest(CASE action WHEN 'insert' THEN new_rows ELSE old_rows END) WITH ORDINALITY AS r (data, position)
        ), kept AS (
            -- What audit.kept keeps of each field, with operators on the whole row (as 0086's row
            -- trigger): the hidden fields not marked "changed" removed, a `before` or `after`
            -- object as audit.kept_object keeps it.
            SELECT c.position, c.data,
                   (c.data - ARRAY(SELECT h FROM unnest(hidden) AS h
                                    WHERE c.data -> h IS DISTINCT FROM '"changed"'::jsonb
                                      AND NOT (h IN ('before', 'after') AND jsonb_typeof(c.data -> h) = 'object')))
                   || CASE WHEN jsonb_typeof(c.data -> 'before') = 'object'
                           THEN jsonb_build_object('before', audit.kept_object(c.data -> 'before', common)) ELSE '{}'::jsonb END
                   || CASE WHEN jsonb_typeof(c.data -> 'after') = 'object'
                           THEN jsonb_build_object('after', audit.kept_object(c.data -> 'after', common)) ELSE '{}'::jsonb END
                   AS row
              FROM changed c
        )
        SELECT (k.data ->> 'branch_id')::uuid, scope.user_id(), scope.roles(), scope.request_id(), action, entity,
               CASE WHEN k.data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (k.data ->> 'id')::uuid
                    WHEN k.data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (k.data ->> 'complaint_id')::uuid END,
               CASE WHEN action = 'delete' THEN k.row END, CASE WHEN action = 'insert' THEN k.row END
          FROM kept k
         ORDER BY k.position;
    ELSIF action = 'update' THEN
        -- Each pair that changed gives one entry: the fields that changed, before and after, as the
        -- trail keeps them, and every changed field it does not keep named with "changed". Each
        -- field of the new row is looked up in the old one; the pairs are materialized, so that
        -- neither row is computed again for each lookup.
        INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
        WITH paired AS MATERIALIZED (
            SELECT p.old_data - copied AS old_full, p.new_data - copied AS new_full, p.position
              FROM unnest(old_rows, new_rows) WITH ORDINALITY AS p (old_data, new_data, position)
        ), entries AS (
            SELECT p.position, p.new_full AS data,
                   coalesce(d.before, '{}'::jsonb) || coalesce(d.marks, '{}'::jsonb) AS before,
                   coalesce(d.after, '{}'::jsonb) || coalesce(d.marks, '{}'::jsonb) AS after,
                   d.before IS NOT NULL OR d.marks IS NOT NULL AS recorded
              FROM paired p
             CROSS JOIN LATERAL (
                SELECT jsonb_object_agg(c.key, c.old_kept) FILTER (WHERE c.old_kept IS NOT NULL AND c.old_kept IS DISTINCT FROM c.new_kept)
                           AS before,
                       jsonb_object_agg(c.key, c.new_kept) FILTER (WHERE c.old_kept IS NOT NULL AND c.old_kept IS DISTINCT FROM c.new_kept)
                           AS after,
                       jsonb_object_agg(c.key, 'changed') FILTER (WHERE c.old_kept IS NOT DISTINCT FROM c.new_kept) AS marks
                  FROM (SELECT n.key, audit.kept(n.key, p.old_full -> n.key, hidden, common) AS old_kept,
                               audit.kept(n.key, n.value, hidden, common) AS new_kept
                          FROM jsonb_each(p.new_full) n
                         WHERE n.value IS DISTINCT FROM p.old_full -> n.key) c) d
        )
        SELECT (e.data ->> 'branch_id')::uuid, scope.user_id(), scope.roles(), scope.request_id(), 'update', entity,
               CASE WHEN e.data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (e.data ->> 'id')::uuid
                    WHEN e.data ->> 'complaint_id' ~ '^[0-9a-f-]{36}$' THEN (e.data ->> 'complaint_id')::uuid END,
               e.before, e.after
          FROM entries e
         WHERE e.recorded
         ORDER BY e.position;
    ELSE
        RAISE EXCEPTION 'audit.record_rows records inserts, updates and deletes, not %', action USING ERRCODE = '22023';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION audit.record_rows(text, text, jsonb[], jsonb[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.record_rows(text, text, jsonb[], jsonb[]) TO redress_audit_writer;

-- The statement triggers (0070) enter their transition tables through it.
CREATE OR REPLACE FUNCTION audit.record_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF coalesce(TG_ARGV[0], '') = '' THEN
        RAISE EXCEPTION 'audit.record_inserted needs the name of its table as its argument';
    END IF;
    PERFORM audit.record_rows(TG_ARGV[0], 'insert', NULL, ARRAY(SELECT to_jsonb(n) FROM new_rows n));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION audit.record_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF coalesce(TG_ARGV[0], '') = '' THEN
        RAISE EXCEPTION 'audit.record_deleted needs the name of its table as its argument';
    END IF;
    PERFORM audit.record_rows(TG_ARGV[0], 'delete', ARRAY(SELECT to_jsonb(o) FROM old_rows o), NULL);
    RETURN NULL;
END
$$;

-- PostgreSQL appends each updated row's old and new versions to the two transition tables
-- together, so the n-th row of one is the n-th of the other, whether or not its key changed.
CREATE OR REPLACE FUNCTION audit.record_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF coalesce(TG_ARGV[0], '') = '' THEN
        RAISE EXCEPTION 'audit.record_updated needs the name of its table as its argument';
    END IF;
    PERFORM audit.record_rows(TG_ARGV[0], 'update', ARRAY(SELECT to_jsonb(o) FROM old_rows o), ARRAY(SELECT to_jsonb(n) FROM new_rows n));
    RETURN NULL;
END
$$;

-- The audited tables, each with the name its audit triggers give it, whichever form they have.
CREATE FUNCTION audit.audited_tables() RETURNS TABLE (audited_table regclass, name text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    audited record;
BEGIN
    FOR audited IN
        SELECT t.tgrelid::regclass AS relation, min(split_part(encode(t.tgargs, 'escape'), '\000', 1)) AS argument,
               min(t.tgnargs) AS arguments
          FROM pg_catalog.pg_trigger t
         WHERE t.tgfoid IN ('audit.record_change()'::regprocedure, 'audit.record_inserted()'::regprocedure,
                            'audit.record_updated()'::regprocedure, 'audit.record_deleted()'::regprocedure)
           AND NOT t.tgisinternal
         GROUP BY t.tgrelid
         ORDER BY 1
    LOOP
        IF audited.arguments <> 1 OR audited.argument = '' THEN
            RAISE EXCEPTION 'an audit trigger of % does not name its table', audited.relation;
        END IF;
        audited_table := audited.relation;
        name := audited.argument;
        RETURN NEXT;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION audit.audited_tables() FROM PUBLIC;

-- Every audit trigger passes over the writer's statements: the statement triggers where Citus is
-- absent, the row trigger `audited` where it is present (or after `audit.audit_by_row()`). Both
-- conversions now make every table's audit triggers anew, whichever it had, so a migration that
-- adds an audited table still creates its row trigger as before and calls `audit.audit_by_statement()`.
CREATE OR REPLACE FUNCTION audit.audit_by_row() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    audited record;
BEGIN
    FOR audited IN SELECT * FROM audit.audited_tables() LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS audited_inserts ON %s', audited.audited_table);
        EXECUTE format('DROP TRIGGER IF EXISTS audited_updates ON %s', audited.audited_table);
        EXECUTE format('DROP TRIGGER IF EXISTS audited_deletes ON %s', audited.audited_table);
        EXECUTE format('CREATE OR REPLACE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
                       'WHEN (current_user OPERATOR(pg_catalog.<>) ''redress_audit_writer''::name) '
                       'EXECUTE FUNCTION audit.record_change(%L)', audited.audited_table, audited.name);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION audit.audit_by_statement() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    audited record;
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM audit.audit_by_row();
        RETURN;
    END IF;
    FOR audited IN SELECT * FROM audit.audited_tables() LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS audited ON %s', audited.audited_table);
        EXECUTE format('CREATE OR REPLACE TRIGGER audited_inserts AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'WHEN (current_user OPERATOR(pg_catalog.<>) ''redress_audit_writer''::name) '
                       'EXECUTE FUNCTION audit.record_inserted(%L)', audited.audited_table, audited.name);
        EXECUTE format('CREATE OR REPLACE TRIGGER audited_updates AFTER UPDATE ON %s '
                       'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'WHEN (current_user OPERATOR(pg_catalog.<>) ''redress_audit_writer''::name) '
                       'EXECUTE FUNCTION audit.record_updated(%L)', audited.audited_table, audited.name);
        EXECUTE format('CREATE OR REPLACE TRIGGER audited_deletes AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
                       'WHEN (current_user OPERATOR(pg_catalog.<>) ''redress_audit_writer''::name) '
                       'EXECUTE FUNCTION audit.record_deleted(%L)', audited.audited_table, audited.name);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION audit.audit_by_statement(), audit.audit_by_row() FROM PUBLIC;

SELECT audit.audit_by_statement();

-- Rerouting before a claim (0085), entering its writes.
CREATE OR REPLACE FUNCTION scheduler.reroute_due(branch uuid, batch integer, work text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    looked uuid[];
    candidates uuid[];
    locked uuid[];
    targets uuid[];
    reasons text[];
    movable uuid[] := '{}';
    moved uuid[];
    from_departments uuid[];
    to_departments uuid[];
    from_users uuid[];
    moved_reasons text[];
    complaint uuid;
    self_audited boolean := current_user = 'redress_audit_writer';
    rows_before jsonb[];
    rows_after jsonb[];
BEGIN
    -- The first `batch` due complaints in the order the claim after this one takes them, read
    -- without locking: a burst is looked at a batch at a time, not all of it on every pass. The
    -- claim of `escalate_due` leaves a complaint the rules would move for a later pass, so one this
    -- pass cannot move (another scheduler holds it) is never escalated where it is.
    IF work = 'escalations' THEN
        SELECT coalesce(array_agg(u.id), '{}') INTO looked
          FROM (SELECT c.id FROM public.complaints c
                 WHERE c.branch_id = branch AND c.next_escalation_at <= now() AND NOT c.sla_stale
                 ORDER BY c.next_escalation_at, c.id
                 LIMIT batch) u;
    ELSE
        SELECT coalesce(array_agg(u.id), '{}') INTO looked
          FROM (SELECT c.id FROM public.complaints c
                 WHERE c.branch_id = branch AND c.next_alarm_at <= now() AND NOT c.sla_stale
                   AND (c.next_escalation_at IS NULL OR c.next_escalation_at > now())
                 ORDER BY c.next_alarm_at, c.id
                 LIMIT batch) u;
    END IF;

    SELECT coalesce(array_agg(p.id), '{}'), coalesce(array_agg(p.target), '{}'), coalesce(array_agg(p.reason), '{}')
      INTO candidates, targets, reasons
      FROM (SELECT c.id, t.department_id AS target,
                   CASE WHEN c.department_id IS NULL THEN 'unrouted'
                        WHEN NOT d.active THEN 'department_inactive' ELSE 'routing_rule' END AS reason
              FROM public.complaints c
              LEFT JOIN public.departments d ON d.branch_id = c.branch_id AND d.id = c.department_id
             CROSS JOIN LATERAL (
                    SELECT r.department_id FROM public.routing_rules r
                      JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                     WHERE r.branch_id = branch AND r.category_id = c.category_id
                       AND (r.channel IS NULL OR r.channel = c.channel)
                       AND (r.level IS NULL OR r.level = c.level)
                       AND (r.product IS NULL OR lower(r.product) = lower(c.product))
                     ORDER BY r.position, (r.channel IS NOT NULL)::int + (r.level IS NOT NULL)::int + (r.product IS NOT NULL)::int DESC,
                              r.id::text
                     LIMIT 1) t
             WHERE c.branch_id = branch AND c.id = ANY (looked) AND c.status NOT IN ('closed', 'archived')
               AND c.department_id IS DISTINCT FROM t.department_id
               AND CASE WHEN c.department_id IS NULL THEN work = 'alarms'
                        WHEN NOT d.active THEN true
                        ELSE c.department_by_rule AND c.responsible_user_id IS NULL END) p;
    SELECT coalesce(array_agg(u.id), '{}') INTO locked
      FROM (SELECT c.id FROM public.complaints c
             WHERE c.branch_id = branch AND c.id = ANY (candidates)
               FOR UPDATE SKIP LOCKED) u;
    FOREACH complaint IN ARRAY locked LOOP
        IF pg_try_advisory_xact_lock(public.case_lock_key(complaint)) THEN
            movable := movable || complaint;
        END IF;
    END LOOP;

    -- Read again now that they are locked: another scheduler or a person may have moved one since.
    SELECT coalesce(array_agg(c.id), '{}'), coalesce(array_agg(c.department_id), '{}'), coalesce(array_agg(m.target), '{}'),
           coalesce(array_agg(c.responsible_user_id), '{}'), coalesce(array_agg(m.reason), '{}')
      INTO moved, from_departments, to_departments, from_users, moved_reasons
      FROM unnest(candidates, targets, reasons) AS m (id, target, reason)
      JOIN public.complaints c ON c.branch_id = branch AND c.id = m.id
     WHERE m.id = ANY (movable) AND c.department_id IS DISTINCT FROM m.target
       AND (m.reason <> 'routing_rule' OR c.department_by_rule AND c.responsible_user_id IS NULL);

    WITH before AS (
        SELECT c.id, CASE WHEN self_audited THEN to_jsonb(c) END AS entry FROM public.complaints c
         WHERE c.branch_id = branch AND c.id = ANY (moved)
    ), changed AS (
        UPDATE public.complaints c SET department_id = m.to_department_id, department_by_rule = true, responsible_user_id = NULL,
                                       updated_at = now()
          FROM unnest(moved, to_departments) AS m (complaint_id, to_department_id)
         WHERE c.branch_id = branch AND c.id = m.complaint_id
        RETURNING c.id, CASE WHEN self_audited THEN to_jsonb(c) END AS entry
    )
    SELECT array_agg(b.entry ORDER BY ch.id), array_agg(ch.entry ORDER BY ch.id) INTO rows_before, rows_after
      FROM changed ch JOIN before b ON b.id = ch.id;
    IF self_audited THEN
        PERFORM audit.record_rows('complaints', 'update', rows_before, rows_after);
    END IF;
    -- The copies of the case's visibility on its child rows: fields the trail leaves out, so no entry.
    FOREACH complaint IN ARRAY moved LOOP
        PERFORM public.follow_case(branch, complaint);
    END LOOP;

    WITH written AS (
        INSERT INTO public.complaint_handovers (branch_id, complaint_id, from_department_id, to_department_id, from_user_id, reason,
                                                case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT branch, m.complaint_id, m.from_department_id, m.to_department_id, m.from_user_id,
               CASE m.reason WHEN 'department_inactive' THEN 'the department is inactive: routed again by the routing rules'
                             WHEN 'unrouted' THEN 'routed by the routing rules when its deadline passed'
                             ELSE 'the routing rules now choose this department' END,
               c.department_id, c.collaborating_department_ids, c.responsible_user_id
          FROM unnest(moved, from_departments, to_departments, from_users, moved_reasons)
               AS m (complaint_id, from_department_id, to_department_id, from_user_id, reason)
          JOIN public.complaints c ON c.branch_id = branch AND c.id = m.complaint_id
        RETURNING CASE WHEN self_audited THEN to_jsonb(complaint_handovers.*) END AS entry
    )
    SELECT array_agg(w.entry) INTO rows_after FROM written w;
    IF self_audited THEN
        PERFORM audit.record_rows('complaint_handovers', 'insert', NULL, rows_after);
    END IF;
    WITH written AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, before, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT branch, m.complaint_id, 'rerouted',
               jsonb_strip_nulls(jsonb_build_object('departmentId', m.from_department_id::text, 'responsibleUserId', m.from_user_id::text)),
               jsonb_build_object('departmentId', m.to_department_id::text, 'reason', m.reason),
               c.department_id, c.collaborating_department_ids, c.responsible_user_id
          FROM unnest(moved, from_departments, to_departments, from_users, moved_reasons)
               AS m (complaint_id, from_department_id, to_department_id, from_user_id, reason)
          JOIN public.complaints c ON c.branch_id = branch AND c.id = m.complaint_id
        RETURNING CASE WHEN self_audited THEN to_jsonb(complaint_events.*) END AS entry
    )
    SELECT array_agg(w.entry) INTO rows_after FROM written w;
    IF self_audited THEN
        PERFORM audit.record_rows('complaint_events', 'insert', NULL, rows_after);
    END IF;
    RETURN cardinality(moved);
END
$$;

-- Tiers (0085), entering their writes.
CREATE OR REPLACE FUNCTION scheduler.escalate_due(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, tier smallint, due_at timestamptz, late_seconds integer, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    routable uuid[];
    routed_ids uuid[] := '{}';
    complaint uuid;
    claimed_ids uuid[] := '{}';
    claimed_complaints uuid[] := '{}';
    claimed_tiers smallint[] := '{}';
    claimed_due timestamptz[] := '{}';
    claimed_late integer[] := '{}';
    claimed_departments uuid[] := '{}';
    claimed_policies uuid[] := '{}';
    wanted_escalations uuid[] := '{}';
    wanted_kinds text[] := '{}';
    wanted_users uuid[] := '{}';
    paged_escalations uuid[] := '{}';
    granted uuid[];
    self_audited boolean := current_user = 'redress_audit_writer';
    rows_before jsonb[];
    rows_after jsonb[];
    escalations_written jsonb[];
    events_written jsonb[];
BEGIN
    -- First the due complaints the rules would move to another department (in this statement's
    -- transaction, without a round trip of its own).
    PERFORM scheduler.reroute_due(branch, batch, 'escalations');

    -- Then the due complaints nobody routed that a rule routes. Routing changes who sees a
    -- complaint, so its child rows follow it (`follow_case`, 0033), and not while a writer of them
    -- holds the case's lock: those wait for a later pass. The locks are taken here, on the
    -- coordinator, one complaint at a time.
    SELECT coalesce(array_agg(u.id), '{}') INTO routable
      FROM (SELECT c.id FROM public.complaints c
             WHERE c.branch_id = branch AND c.next_escalation_at <= now() AND NOT c.sla_stale AND c.department_id IS NULL
               AND EXISTS (SELECT FROM public.routing_rules r
                                  JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                                 WHERE r.branch_id = branch AND r.category_id = c.category_id
                                   AND (r.channel IS NULL OR r.channel = c.channel)
                                   AND (r.level IS NULL OR r.level = c.level)
                                   AND (r.product IS NULL OR lower(r.product) = lower(c.product)))
             ORDER BY c.next_escalation_at, c.id
             LIMIT batch
               FOR UPDATE SKIP LOCKED) u;
    FOREACH complaint IN ARRAY routable LOOP
        IF pg_try_advisory_xact_lock(public.case_lock_key(complaint)) THEN
            routed_ids := routed_ids || complaint;
        END IF;
    END LOOP;
    WITH before AS (
        SELECT c.id, CASE WHEN self_audited THEN to_jsonb(c) END AS entry FROM public.complaints c
         WHERE c.branch_id = branch AND c.id = ANY (routed_ids)
    ), changed AS (
        UPDATE public.complaints c
           SET department_id = (SELECT r.department_id FROM public.routing_rules r
                                  JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                                 WHERE r.branch_id = branch AND r.category_id = c.category_id
                                   AND (r.channel IS NULL OR r.channel = c.channel)
                                   AND (r.level IS NULL OR r.level = c.level)
                                   AND (r.product IS NULL OR lower(r.product) = lower(c.product))
                                 ORDER BY r.position,
                                          (r.channel IS NOT NULL)::int + (r.level IS NOT NULL)::int + (r.product IS NOT NULL)::int DESC,
                                          r.id::text
                                 LIMIT 1),
               department_by_rule = true
         WHERE c.branch_id = branch AND c.id = ANY (routed_ids)
        RETURNING c.id, CASE WHEN self_audited THEN to_jsonb(c) END AS entry
    )
    SELECT array_agg(b.entry ORDER BY ch.id), array_agg(ch.entry ORDER BY ch.id) INTO rows_before, rows_after
      FROM changed ch JOIN before b ON b.id = ch.id;
    IF self_audited THEN
        PERFORM audit.record_rows('complaints', 'update', rows_before, rows_after);
    END IF;
    FOREACH complaint IN ARRAY routed_ids LOOP
        PERFORM public.follow_case(branch, complaint);
    END LOOP;

    -- 1. The claim.
    WITH due AS (
        SELECT c.branch_id, c.id, c.department_id, c.category_id, c.sla_policy_id, c.escalation_due_at, c.escalated_tiers,
               CASE WHEN self_audited THEN to_jsonb(c) END AS entry
          FROM public.complaints c
         WHERE c.branch_id = branch AND c.next_escalation_at <= now() AND NOT c.sla_stale
           -- One a rule would route waits until the step above has routed it.
           AND (c.department_id IS NOT NULL
                OR NOT EXISTS (SELECT FROM public.routing_rules r
                                          JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                                         WHERE r.branch_id = branch AND r.category_id = c.category_id
                                           AND (r.channel IS NULL OR r.channel = c.channel)
                                           AND (r.level IS NULL OR r.level = c.level)
                                           AND (r.product IS NULL OR lower(r.product) = lower(c.product))))
           -- Nor one the rules would move (`reroute_due` moves it first, or a later pass does).
           AND NOT (c.department_id IS NOT NULL
                    AND (c.department_by_rule AND c.responsible_user_id IS NULL
                         OR EXISTS (SELECT FROM public.departments d WHERE d.branch_id = branch AND d.id = c.department_id
                                                                       AND NOT d.active))
                    AND coalesce(c.department_id <> (
                            SELECT r.department_id FROM public.routing_rules r
                              JOIN public.departments rd ON rd.branch_id = r.branch_id AND rd.id = r.department_id AND rd.active
                             WHERE r.branch_id = branch AND r.category_id = c.category_id
                               AND (r.channel IS NULL OR r.channel = c.channel)
                               AND (r.level IS NULL OR r.level = c.level)
                               AND (r.product IS NULL OR lower(r.product) = lower(c.product))
                             ORDER BY r.position,
                                      (r.channel IS NOT NULL)::int + (r.level IS NOT NULL)::int + (r.product IS NOT NULL)::int DESC,
                                      r.id::text
                             LIMIT 1), false))
         ORDER BY c.next_escalation_at, c.id
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), firing AS (
        SELECT d.branch_id, d.id AS complaint_id, d.sla_policy_id, t.tier::smallint AS tier, t.at AS due_at,
               (SELECT scheduler.ack_window(p.document) FROM public.sla_policies p
                 WHERE p.branch_id = branch AND p.id = d.sla_policy_id) AS ack_window
          FROM due d, unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
         WHERE t.at <= now() AND NOT (t.tier::smallint = ANY (d.escalated_tiers))
    ), routing AS (
        SELECT d.branch_id, d.id, d.id = ANY (routed_ids) AS routed_now,
               ARRAY(SELECT DISTINCT x FROM unnest(d.escalated_tiers || (
                   SELECT coalesce(array_agg(t.tier::smallint), '{}') FROM unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
                    WHERE t.at <= now())) x ORDER BY x) AS escalated_tiers,
               (SELECT t.tier::smallint FROM unnest(d.escalation_due_at) WITH ORDINALITY AS t (at, tier)
                 WHERE t.at > now() AND NOT (t.tier::smallint = ANY (d.escalated_tiers)) ORDER BY t.at, t.tier LIMIT 1) AS next_tier
          FROM due d
    ), advanced AS (
        UPDATE public.complaints c
           SET escalated_tiers = ro.escalated_tiers,
               next_escalation_tier = ro.next_tier, next_escalation_at = c.escalation_due_at[ro.next_tier]
          FROM routing ro
         WHERE c.branch_id = branch AND c.id = ro.id
        RETURNING c.branch_id, c.id, c.department_id, c.collaborating_department_ids, c.responsible_user_id,
                  CASE WHEN self_audited THEN to_jsonb(c) END AS entry
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, due_at, late_seconds, department_id, routed,
                                        paged_tier, ack_due_at,
                                        case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT f.branch_id, f.complaint_id, f.tier, f.due_at, greatest(0, extract(epoch FROM now() - f.due_at))::integer,
               a.department_id, ro.routed_now,
               f.tier, now() + coalesce(f.ack_window, interval '15 minutes'),
               a.department_id, a.collaborating_department_ids, a.responsible_user_id
          FROM firing f
          JOIN advanced a ON a.branch_id = f.branch_id AND a.id = f.complaint_id
          JOIN routing ro ON ro.branch_id = f.branch_id AND ro.id = f.complaint_id
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.tier, escalations.due_at,
                  escalations.late_seconds, escalations.department_id, escalations.routed, escalations.case_department_id,
                  escalations.case_collaborating_department_ids, escalations.case_responsible_user_id,
                  CASE WHEN self_audited THEN to_jsonb(escalations.*) END AS entry
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id, 'escalated',
               jsonb_build_object('tier', r.tier::text, 'dueAt', to_json(r.due_at) #>> '{}', 'lateSeconds', r.late_seconds::text,
                                  'departmentId', r.department_id::text, 'routed', r.routed::text),
               r.case_department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
          FROM recorded r
        RETURNING CASE WHEN self_audited THEN to_jsonb(complaint_events.*) END AS entry
    )
    SELECT coalesce(array_agg(r.id), '{}'),
           coalesce(array_agg(r.complaint_id), '{}'),
           coalesce(array_agg(r.tier), '{}'),
           coalesce(array_agg(r.due_at), '{}'),
           coalesce(array_agg(r.late_seconds), '{}'),
           coalesce(array_agg(r.department_id), '{}'),
           coalesce(array_agg(f.sla_policy_id), '{}'),
           (SELECT array_agg(d.entry ORDER BY a.id) FROM advanced a JOIN due d ON d.id = a.id),
           (SELECT array_agg(a.entry ORDER BY a.id) FROM advanced a),
           (SELECT array_agg(e.entry) FROM recorded e), (SELECT array_agg(n.entry) FROM noted n)
      INTO claimed_ids, claimed_complaints, claimed_tiers, claimed_due, claimed_late, claimed_departments, claimed_policies,
           rows_before, rows_after, escalations_written, events_written
      FROM recorded r
      JOIN firing f ON f.branch_id = r.branch_id AND f.complaint_id = r.complaint_id AND f.tier = r.tier;
    IF self_audited THEN
        PERFORM audit.record_rows('complaints', 'update', rows_before, rows_after);
        PERFORM audit.record_rows('escalations', 'insert', NULL, escalations_written);
        PERFORM audit.record_rows('complaint_events', 'insert', NULL, events_written);
    END IF;
    IF cardinality(claimed_ids) = 0 THEN
        RETURN;
    END IF;

    -- 2. Who is paged.
    granted := scheduler.granted_executives(branch);
    SELECT coalesce(array_agg(e.id), '{}'), coalesce(array_agg(who.kind), '{}'), coalesce(array_agg(who.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM unnest(claimed_ids, claimed_policies, claimed_tiers, claimed_departments) AS e (id, policy, tier, department)
     CROSS JOIN LATERAL scheduler.ladder_recipients(branch, e.policy, e.tier, e.department, true, granted) who;

    -- 3 and 4. The pages, their deliveries and the notifications.
    paged_escalations := scheduler.page(branch, wanted_escalations, wanted_kinds, wanted_users);

    RETURN QUERY
        SELECT branch, e.complaint_id, e.tier, e.due_at, e.late_seconds, coalesce(pc.pages, 0)
          FROM unnest(claimed_ids, claimed_complaints, claimed_tiers, claimed_due, claimed_late)
               AS e (id, complaint_id, tier, due_at, late_seconds)
          LEFT JOIN (SELECT p.id, count(*)::integer AS pages FROM unnest(paged_escalations) AS p (id) GROUP BY p.id) pc ON pc.id = e.id;
END
$$;

-- Alarms (0085), entering their writes.
CREATE OR REPLACE FUNCTION scheduler.raise_alarms(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, milestone text, plan_id uuid, reason text, tier smallint, due_at timestamptz,
                   late_seconds integer, pages integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    claimed_ids uuid[] := '{}';
    claimed_complaints uuid[] := '{}';
    claimed_milestones text[] := '{}';
    claimed_plans uuid[] := '{}';
    claimed_reasons text[] := '{}';
    claimed_tiers smallint[] := '{}';
    claimed_due timestamptz[] := '{}';
    claimed_late integer[] := '{}';
    claimed_departments uuid[] := '{}';
    claimed_responsible uuid[] := '{}';
    claimed_policies uuid[] := '{}';
    wanted_escalations uuid[] := '{}';
    wanted_kinds text[] := '{}';
    wanted_users uuid[] := '{}';
    paged_escalations uuid[] := '{}';
    granted uuid[];
    self_audited boolean := current_user = 'redress_audit_writer';
    rows_before jsonb[];
    rows_after jsonb[];
    escalations_written jsonb[];
    events_written jsonb[];
BEGIN
    -- 1. The claim.
    WITH due AS (
        SELECT c.branch_id, c.id, c.sla_policy_id, c.department_id, c.collaborating_department_ids, c.responsible_user_id,
               c.sla_alarm_keys, c.sla_alarm_due_at, c.sla_alarm_rungs, c.sla_alarms_raised,
               CASE WHEN self_audited THEN to_jsonb(c) END AS entry
          FROM public.complaints c
         WHERE c.branch_id = branch AND c.next_alarm_at <= now() AND NOT c.sla_stale
           -- Not before the complaint's due tiers fired (the pass before this one fires them), so
           -- that those tiers' pages are there to be seen: nobody is paged twice for one moment.
           AND (c.next_escalation_at IS NULL OR c.next_escalation_at > now())
         ORDER BY c.next_alarm_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), pending AS (
        SELECT d.branch_id, d.id AS complaint_id, a.key, a.kind, a.at, a.rung,
               CASE WHEN a.kind IN ('warning', 'breach') THEN a.subject END AS milestone,
               CASE WHEN a.kind LIKE 'plan\_%' THEN a.subject::uuid END AS plan_id,
               d.sla_policy_id, d.department_id, d.collaborating_department_ids, d.responsible_user_id
          FROM due d, unnest(d.sla_alarm_keys, d.sla_alarm_due_at, d.sla_alarm_rungs) AS k (key, at, rung),
               LATERAL (SELECT k.key, k.at, k.rung, split_part(k.key, ':', 1) AS kind, split_part(k.key, ':', 2) AS subject) a
         WHERE NOT (a.key = ANY (d.sla_alarms_raised))
    ), raising AS (
        SELECT p.*, p.kind = 'warning' AND EXISTS (
                   SELECT FROM pending b WHERE b.complaint_id = p.complaint_id AND b.milestone = p.milestone AND b.kind = 'breach'
                      AND b.at <= now()) AS dropped
          FROM pending p
         WHERE p.at <= now()
    ), advanced AS (
        UPDATE public.complaints c
           SET sla_alarms_raised = c.sla_alarms_raised || ARRAY(SELECT r.key FROM raising r WHERE r.complaint_id = c.id ORDER BY r.key),
               next_alarm_at = (SELECT min(p.at) FROM pending p WHERE p.complaint_id = c.id AND p.at > now())
          FROM due d
         WHERE c.branch_id = branch AND c.id = d.id
        RETURNING c.branch_id, c.id, CASE WHEN self_audited THEN to_jsonb(c) END AS entry
    ), recorded AS (
        INSERT INTO public.escalations (branch_id, complaint_id, tier, alarm_key, milestone, plan_id, reason, due_at, late_seconds,
                                        department_id, routed, paged_tier, ack_due_at,
                                        case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id, CASE WHEN r.kind = 'breach' THEN r.rung ELSE 0 END, r.key, r.milestone, r.plan_id,
               CASE WHEN r.milestone IS NULL THEN r.kind END, r.at,
               greatest(0, extract(epoch FROM now() - r.at))::integer, r.department_id, false,
               CASE WHEN r.kind = 'breach' THEN r.rung ELSE 0 END,
               CASE WHEN r.kind = 'breach' THEN now() + coalesce((SELECT scheduler.ack_window(p.document) FROM public.sla_policies p
                                                                  WHERE p.branch_id = branch AND p.id = r.sla_policy_id),
                                                                 interval '15 minutes') END,
               r.department_id, r.collaborating_department_ids, r.responsible_user_id
          FROM raising r
          JOIN advanced a ON a.branch_id = r.branch_id AND a.id = r.complaint_id
         WHERE NOT r.dropped
        ON CONFLICT ON CONSTRAINT escalations_branch_id_complaint_id_tier_key DO NOTHING
        RETURNING escalations.branch_id, escalations.id, escalations.complaint_id, escalations.milestone, escalations.plan_id,
                  escalations.reason, escalations.tier, escalations.due_at, escalations.late_seconds, escalations.department_id,
                  escalations.case_department_id, escalations.case_collaborating_department_ids, escalations.case_responsible_user_id,
                  CASE WHEN self_audited THEN to_jsonb(escalations.*) END AS entry
    ), noted AS (
        INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                             case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.complaint_id,
               CASE WHEN r.reason IN ('department_routed', 'reopened') THEN 'head_notified'
                    WHEN r.reason IS NOT NULL THEN r.reason
                    WHEN r.tier = 0 THEN 'milestone_warning' ELSE 'milestone_breached' END,
               jsonb_strip_nulls(jsonb_build_object('milestone', r.milestone, 'planId', r.plan_id::text,
                                                    'reason', CASE WHEN r.reason IN ('department_routed', 'reopened') THEN r.reason END,
                                                    'tier', r.tier::text,
                                                    'dueAt', to_json(r.due_at) #>> '{}', 'lateSeconds', r.late_seconds::text,
                                                    'departmentId', r.department_id::text)),
               r.case_department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
          FROM recorded r
        RETURNING CASE WHEN self_audited THEN to_jsonb(complaint_events.*) END AS entry
    )
    SELECT coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.complaint_id), '{}'), coalesce(array_agg(r.milestone), '{}'),
           coalesce(array_agg(r.plan_id), '{}'), coalesce(array_agg(r.reason), '{}'),
           coalesce(array_agg(r.tier), '{}'), coalesce(array_agg(r.due_at), '{}'), coalesce(array_agg(r.late_seconds), '{}'),
           coalesce(array_agg(r.department_id), '{}'), coalesce(array_agg(r.case_responsible_user_id), '{}'),
           coalesce(array_agg(d.sla_policy_id), '{}'),
           (SELECT array_agg(b.entry ORDER BY a.id) FROM advanced a JOIN due b ON b.id = a.id),
           (SELECT array_agg(a.entry ORDER BY a.id) FROM advanced a),
           (SELECT array_agg(e.entry) FROM recorded e), (SELECT array_agg(n.entry) FROM noted n)
      INTO claimed_ids, claimed_complaints, claimed_milestones, claimed_plans, claimed_reasons, claimed_tiers, claimed_due,
           claimed_late, claimed_departments, claimed_responsible, claimed_policies,
           rows_before, rows_after, escalations_written, events_written
      FROM recorded r
      JOIN due d ON d.branch_id = r.branch_id AND d.id = r.complaint_id;
    IF self_audited THEN
        PERFORM audit.record_rows('complaints', 'update', rows_before, rows_after);
        PERFORM audit.record_rows('escalations', 'insert', NULL, escalations_written);
        PERFORM audit.record_rows('complaint_events', 'insert', NULL, events_written);
    END IF;
    IF cardinality(claimed_ids) = 0 THEN
        RETURN;
    END IF;

    -- 2. Who is paged: a breach's rung, a warning's responsible person, a plan's or a notice's level.
    granted := scheduler.granted_executives(branch);
    SELECT coalesce(array_agg(e.id), '{}'), coalesce(array_agg(who.kind), '{}'), coalesce(array_agg(who.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM unnest(claimed_ids, claimed_policies, claimed_tiers, claimed_departments, claimed_responsible, claimed_reasons)
           AS e (id, policy, tier, department, responsible, reason)
     CROSS JOIN LATERAL (SELECT l.kind, l.user_id FROM scheduler.ladder_recipients(branch, e.policy, e.tier, e.department, true, granted) l
                          WHERE e.tier > 0
                         UNION ALL
                         SELECT w.kind, w.user_id FROM scheduler.warning_recipients(branch, e.department, e.responsible) w
                          WHERE e.tier = 0 AND e.reason IS NULL
                         UNION ALL
                         SELECT p.kind, p.user_id
                           FROM scheduler.plan_recipients(branch, CASE e.reason WHEN 'plan_approval_overdue' THEN 2
                                                                                WHEN 'plan_leadership_approval' THEN 2
                                                                                WHEN 'statutory_result_overdue' THEN 2
                                                                                WHEN 'plan_leadership_approval_overdue' THEN 3 ELSE 1 END,
                                                          e.department, granted) p
                          WHERE e.reason IS NOT NULL) who;
    -- A breach or a notice pages nobody twice: not whoever holds a page of the complaint that
    -- nobody took yet, nor whoever another breach or notice of the complaint raised now pages. A
    -- plan's approval is not asked of its proposer.
    SELECT coalesce(array_agg(w.escalation_id), '{}'), coalesce(array_agg(w.kind), '{}'), coalesce(array_agg(w.user_id), '{}')
      INTO wanted_escalations, wanted_kinds, wanted_users
      FROM (SELECT w.escalation_id, w.kind, w.user_id, e.complaint_id, e.tier, e.plan_id, e.reason,
                   row_number() OVER (PARTITION BY e.complaint_id, w.user_id, e.tier > 0 OR e.reason IN ('department_routed', 'reopened')
                                      ORDER BY e.tier = 0, e.tier, w.escalation_id) AS nth
              FROM unnest(wanted_escalations, wanted_kinds, wanted_users) AS w (escalation_id, kind, user_id)
              JOIN unnest(claimed_ids, claimed_complaints, claimed_tiers, claimed_plans, claimed_reasons)
                   AS e (id, complaint_id, tier, plan_id, reason) ON e.id = w.escalation_id) w
     WHERE CASE WHEN w.reason IN ('plan_approval', 'plan_leadership_approval')
                THEN NOT EXISTS (SELECT FROM public.complaint_plans p
                                  WHERE p.branch_id = branch AND p.id = w.plan_id AND p.proposed_by = w.user_id)
                WHEN w.tier = 0 AND w.reason IS DISTINCT FROM 'department_routed' AND w.reason IS DISTINCT FROM 'reopened' THEN true
                ELSE w.nth = 1 AND NOT EXISTS (
                         SELECT FROM public.pages p
                          WHERE p.branch_id = branch AND p.complaint_id = w.complaint_id AND p.recipient_user_id = w.user_id
                            AND p.acknowledged_at IS NULL AND p.handed_to IS NULL)
           END;

    -- 3. The pages, their deliveries and the notifications; a breach that paged nobody new waits for nobody.
    paged_escalations := scheduler.page(branch, wanted_escalations, wanted_kinds, wanted_users);
    WITH before AS (
        SELECT e.id, CASE WHEN self_audited THEN to_jsonb(e) END AS entry FROM public.escalations e
         WHERE e.branch_id = branch AND e.id = ANY (claimed_ids)
    ), changed AS (
        UPDATE public.escalations e SET ack_due_at = NULL
         WHERE e.branch_id = branch AND e.id = ANY (claimed_ids) AND e.ack_due_at IS NOT NULL AND NOT e.id = ANY (paged_escalations)
        RETURNING e.id, CASE WHEN self_audited THEN to_jsonb(e) END AS entry
    )
    SELECT array_agg(b.entry ORDER BY ch.id), array_agg(ch.entry ORDER BY ch.id) INTO rows_before, rows_after
      FROM changed ch JOIN before b ON b.id = ch.id;
    IF self_audited THEN
        PERFORM audit.record_rows('escalations', 'update', rows_before, rows_after);
    END IF;

    RETURN QUERY
        SELECT branch, e.complaint_id, e.milestone, e.plan_id, e.reason, e.tier, e.due_at, e.late_seconds, coalesce(pc.pages, 0)
          FROM unnest(claimed_ids, claimed_complaints, claimed_milestones, claimed_plans, claimed_reasons, claimed_tiers, claimed_due,
                      claimed_late)
               AS e (id, complaint_id, milestone, plan_id, reason, tier, due_at, late_seconds)
          LEFT JOIN (SELECT p.id, count(*)::integer AS pages FROM unnest(paged_escalations) AS p (id) GROUP BY p.id) pc ON pc.id = e.id;
END
$$;

-- The complaint office joining a case its tier paged (0053), in the escalation's transaction.
CREATE OR REPLACE FUNCTION scheduler.join_complaint_office(branch uuid, complaint uuid, fired_tier integer) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    office uuid;
    joined public.complaints;
    self_audited boolean := current_user = 'redress_audit_writer';
    row_before jsonb;
    event jsonb;
BEGIN
    SELECT d.id INTO office
      FROM public.departments d
     WHERE d.branch_id = branch AND d.kind = 'complaint_office'
     ORDER BY d.name, d.id
     LIMIT 1;
    IF office IS NULL OR NOT EXISTS (
            SELECT FROM public.complaints c
              JOIN public.sla_policies p ON p.branch_id = c.branch_id AND p.id = c.sla_policy_id
             CROSS JOIN LATERAL jsonb_array_elements(p.document -> 'ladder') AS step
             WHERE c.branch_id = branch AND c.id = complaint AND (step ->> 'tier')::integer = fired_tier
               AND (step -> 'recipients' ? 'complaint_office'
                    OR c.department_id IS NULL AND step -> 'recipients' ? 'department_head')) THEN
        RETURN false;
    END IF;
    IF self_audited THEN
        SELECT to_jsonb(c) INTO row_before FROM public.complaints c WHERE c.branch_id = branch AND c.id = complaint FOR UPDATE;
    END IF;
    UPDATE public.complaints c
       SET collaborating_department_ids = c.collaborating_department_ids || office, updated_at = now()
     WHERE c.branch_id = branch AND c.id = complaint
       AND c.department_id IS DISTINCT FROM office AND NOT office = ANY (c.collaborating_department_ids)
    RETURNING * INTO joined;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF self_audited THEN
        PERFORM audit.record_rows('complaints', 'update', ARRAY[row_before], ARRAY[to_jsonb(joined)]);
    END IF;
    PERFORM public.follow_case(branch, complaint);
    INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                         case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    VALUES (branch, complaint, 'office_joined', jsonb_build_object('departmentId', office::text, 'tier', fired_tier::text),
            joined.department_id, joined.collaborating_department_ids, joined.responsible_user_id)
    RETURNING CASE WHEN self_audited THEN to_jsonb(complaint_events.*) END INTO event;
    IF self_audited THEN
        PERFORM audit.record_rows('complaint_events', 'insert', NULL, ARRAY[event]);
    END IF;
    RETURN true;
END
$$;

-- Pages (0051): entered by the function when it runs as the writer, by the triggers otherwise.
CREATE OR REPLACE FUNCTION scheduler.page(branch uuid, escalations uuid[], kinds text[], users uuid[]) RETURNS uuid[]
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    paged_escalations uuid[] := '{}';
    recipients uuid[] := '{}';
    delivering boolean := false;
    -- Called by the claims (as the writer) or by the owner's re-paging and follow-ups.
    self_audited boolean := current_user = 'redress_audit_writer';
    pages_written jsonb[];
BEGIN
    WITH wanted AS (
        SELECT * FROM unnest(escalations, kinds, users) AS w (escalation_id, kind, user_id)
    ), paged AS (
        INSERT INTO public.pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary,
                                  case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT e.branch_id, e.id, e.complaint_id, e.tier, e.tier, w.kind, w.user_id, e.late_seconds > 60,
               jsonb_build_object('caseNumber', c.case_number, 'tier', e.tier, 'dueAt', public.rfc3339(e.due_at),
                                     'lateSeconds', e.late_seconds, 'status', c.status, 'priority', c.priority, 'level', c.level,
                                     'nature', c.nature, 'categoryId', c.category_id, 'departmentId', e.department_id,
                                     'receivedAt', public.rfc3339(c.received_at))
                   || CASE WHEN e.follow_up_id IS NOT NULL
                           THEN jsonb_build_object('reason', 'follow_up_overdue', 'followUpId', e.follow_up_id)
                           WHEN e.milestone IS NOT NULL
                           THEN jsonb_build_object('reason', CASE WHEN e.tier = 0 THEN 'milestone_warning' ELSE 'milestone_breached' END,
                                                   'milestone', e.milestone)
                           WHEN e.reason IS NOT NULL
                           THEN jsonb_strip_nulls(jsonb_build_object('reason', e.reason, 'planId', e.plan_id))
                           ELSE '{}' END,
               e.case_department_id, e.case_collaborating_department_ids, e.case_responsible_user_id
          FROM wanted w
          JOIN public.escalations e ON e.branch_id = branch AND e.id = w.escalation_id
          JOIN public.complaints c ON c.branch_id = branch AND c.id = e.complaint_id
        RETURNING pages.escalation_id, pages.id, pages.recipient_user_id, CASE WHEN self_audited THEN to_jsonb(pages.*) END AS entry
    ), delivered AS (
        INSERT INTO public.page_deliveries (branch_id, page_id, webhook_id)
        SELECT branch, pg.id, w.id
          FROM paged pg
          JOIN public.webhooks w ON w.branch_id = branch AND w.user_id = pg.recipient_user_id AND w.active
        RETURNING page_deliveries.page_id
    )
    SELECT coalesce(array_agg(pg.escalation_id), '{}'), coalesce(array_agg(DISTINCT pg.recipient_user_id), '{}'),
           EXISTS (SELECT FROM delivered), array_agg(pg.entry)
      INTO paged_escalations, recipients, delivering, pages_written
      FROM paged pg;
    IF self_audited THEN
        PERFORM audit.record_rows('pages', 'insert', NULL, pages_written);
    END IF;

    PERFORM pg_notify('redress_pages', x.recipient::text) FROM unnest(recipients) AS x (recipient);
    IF delivering THEN
        PERFORM pg_notify('redress_deliveries', '');
    END IF;
    RETURN paged_escalations;
END
$$;

-- The claims and the rerouting run as the writer. Making it their owner needs it to have CREATE on
-- their schema for the moment of the change.
GRANT CREATE ON SCHEMA scheduler TO redress_audit_writer;
ALTER FUNCTION scheduler.reroute_due(uuid, integer, text) OWNER TO redress_audit_writer;
ALTER FUNCTION scheduler.escalate_due(uuid, integer) OWNER TO redress_audit_writer;
ALTER FUNCTION scheduler.raise_alarms(uuid, integer) OWNER TO redress_audit_writer;
ALTER FUNCTION scheduler.join_complaint_office(uuid, uuid, integer) OWNER TO redress_audit_writer;
REVOKE CREATE ON SCHEMA scheduler FROM redress_audit_writer;
