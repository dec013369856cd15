-- Rectification (整改, 001 §4.3): what complaints reveal is fixed by a task with specific,
-- quantifiable measures (each with its measurable target), a responsible department and person, a
-- deadline and acceptance criteria. The responsible side records progress and submits an acceptance
-- report; the head of the responsible department or a branch manager (never the responsible person)
-- accepts it or sends it back. Once accepted, the effect is evaluated over a configurable period:
-- complaints of the task's categories and departments in the period before the task was made
-- against as long a period from its acceptance, counted by the store under the caller's own scope.
--
-- Each change of status is a step: the task counts its steps and names its latest, and the store
-- writes each step's timeline entry from the task's row as the step left it, once per step
-- (`rectification_events_one_per_step`). As on a complaint's timeline, the service writes entries
-- with its own rights, as the caller; none is changed or removed.
--
-- A task is made from one or more complaints (linked in `rectification_complaints`) or from a
-- report's hot spot (its categories and departments). It is seen by the same rules as complaints:
-- everyone who sees every complaint of its branch, the members of its responsible department, and
-- its responsible person. Its timeline (`rectification_events`) and links carry a copy of what
-- decides that, as a complaint's rows do (0033), so that no policy reads another table.
--
-- An open task past its deadline is escalated once by the scheduler
-- (`scheduler.escalate_rectifications`): the head of its department and the branch managers are
-- named on an `overdue` entry of its timeline, under the same claim rules as complaints (one branch
-- per transaction, FOR UPDATE SKIP LOCKED, `escalated_at` set in the claiming statement).
--
-- `rectification_complaints` names complaints but belongs to its task: its rows carry the task's
-- visibility (tied by a foreign key), not the complaint's.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE TABLE rectification_tasks (
    branch_id           uuid NOT NULL,
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    problem             text NOT NULL CHECK (length(problem) BETWEEN 1 AND 4000),
    -- [{"description": …, "target": …}]: what is done, and the measurable figure that shows it done.
    measures            jsonb NOT NULL CHECK (jsonb_typeof(measures) = 'array' AND jsonb_array_length(measures) BETWEEN 1 AND 20),
    acceptance_criteria text NOT NULL CHECK (length(acceptance_criteria) BETWEEN 1 AND 4000),
    department_id       uuid NOT NULL,
    responsible_user_id uuid NOT NULL,
    due_at              timestamptz NOT NULL,
    -- What the effect evaluation counts: complaints of these categories and departments (any when empty).
    category_ids        uuid[] NOT NULL DEFAULT '{}',
    department_ids      uuid[] NOT NULL DEFAULT '{}',
    evaluation_days     integer NOT NULL DEFAULT 90 CHECK (evaluation_days BETWEEN 7 AND 365),
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'submitted', 'accepted')),
    progress_percent    smallint NOT NULL DEFAULT 0 CHECK (progress_percent BETWEEN 0 AND 100),
    created_by          uuid NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    acceptance_report   text CHECK (length(acceptance_report) BETWEEN 1 AND 8000),
    submitted_by        uuid,
    submitted_at        timestamptz,
    sent_back_count     integer NOT NULL DEFAULT 0 CHECK (sent_back_count >= 0),
    accepted_by         uuid,
    accepted_at         timestamptz,
    decision_reasoning  text CHECK (length(decision_reasoning) BETWEEN 1 AND 4000),
    -- The steps taken (changes of status), and the latest: created, submitted, sent_back, accepted.
    steps               integer NOT NULL DEFAULT 0 CHECK (steps >= 0),
    last_step           text NOT NULL DEFAULT 'created' CHECK (last_step IN ('created', 'submitted', 'sent_back', 'accepted')),
    escalated_at        timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, id, department_id, responsible_user_id),
    UNIQUE (branch_id, id, created_at),
    CHECK (status = 'open' OR (acceptance_report IS NOT NULL AND submitted_at IS NOT NULL AND submitted_by IS NOT NULL)),
    CHECK ((status = 'accepted') = (accepted_at IS NOT NULL)),
    CHECK ((accepted_at IS NULL) = (accepted_by IS NULL)),
    CHECK (status <> 'accepted' OR progress_percent = 100)
);
SELECT public.distribute_by_branch('public.rectification_tasks');
ALTER TABLE rectification_tasks ADD CONSTRAINT rectification_tasks_department
    FOREIGN KEY (branch_id, department_id) REFERENCES departments (branch_id, id);
ALTER TABLE rectification_tasks ADD CONSTRAINT rectification_tasks_responsible
    FOREIGN KEY (branch_id, responsible_user_id) REFERENCES users (branch_id, id);
ALTER TABLE rectification_tasks ADD CONSTRAINT rectification_tasks_created_by
    FOREIGN KEY (branch_id, created_by) REFERENCES users (branch_id, id);
ALTER TABLE rectification_tasks ADD CONSTRAINT rectification_tasks_submitted_by
    FOREIGN KEY (branch_id, submitted_by) REFERENCES users (branch_id, id);
ALTER TABLE rectification_tasks ADD CONSTRAINT rectification_tasks_accepted_by
    FOREIGN KEY (branch_id, accepted_by) REFERENCES users (branch_id, id);
CREATE INDEX rectification_tasks_listed ON rectification_tasks (branch_id, status, due_at);
CREATE INDEX rectification_tasks_department ON rectification_tasks (branch_id, department_id, due_at);
CREATE INDEX rectification_tasks_overdue ON rectification_tasks (due_at) WHERE status = 'open' AND escalated_at IS NULL;

CREATE TABLE rectification_complaints (
    branch_id                uuid NOT NULL,
    task_id                  uuid NOT NULL,
    complaint_id             uuid NOT NULL,
    task_department_id       uuid NOT NULL,
    task_responsible_user_id uuid NOT NULL,
    -- Links are made with their task, in its transaction (the `linked` policy), and never after.
    task_created_at          timestamptz NOT NULL,
    PRIMARY KEY (branch_id, task_id, complaint_id)
);
SELECT public.distribute_by_branch('public.rectification_complaints');
ALTER TABLE rectification_complaints ADD CONSTRAINT rectification_complaints_task
    FOREIGN KEY (branch_id, task_id, task_department_id, task_responsible_user_id)
    REFERENCES rectification_tasks (branch_id, id, department_id, responsible_user_id);
ALTER TABLE rectification_complaints ADD CONSTRAINT rectification_complaints_made_with_the_task
    FOREIGN KEY (branch_id, task_id, task_created_at) REFERENCES rectification_tasks (branch_id, id, created_at) ON UPDATE CASCADE;
ALTER TABLE rectification_complaints ADD CONSTRAINT rectification_complaints_complaint
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id);
CREATE INDEX rectification_complaints_complaint ON rectification_complaints (branch_id, complaint_id);

CREATE TABLE rectification_events (
    branch_id                uuid NOT NULL,
    id                       uuid NOT NULL DEFAULT gen_random_uuid(),
    task_id                  uuid NOT NULL,
    at                       timestamptz NOT NULL DEFAULT clock_timestamp(),
    kind                     text NOT NULL CHECK (kind IN ('created', 'progress', 'submitted', 'sent_back', 'accepted', 'overdue')),
    actor_id                 uuid,
    note                     text CHECK (length(note) BETWEEN 1 AND 8000),
    after                    jsonb NOT NULL DEFAULT '{}',
    task_department_id       uuid NOT NULL,
    task_responsible_user_id uuid NOT NULL,
    -- A step's entry names the task's step count after it; progress and overdue entries name none.
    task_steps               integer,
    PRIMARY KEY (branch_id, id),
    CHECK (kind = 'overdue' OR actor_id IS NOT NULL),
    CHECK ((kind IN ('progress', 'overdue')) = (task_steps IS NULL))
);
SELECT public.distribute_by_branch('public.rectification_events');
ALTER TABLE rectification_events ADD CONSTRAINT rectification_events_task
    FOREIGN KEY (branch_id, task_id, task_department_id, task_responsible_user_id)
    REFERENCES rectification_tasks (branch_id, id, department_id, responsible_user_id);
ALTER TABLE rectification_events ADD CONSTRAINT rectification_events_actor
    FOREIGN KEY (branch_id, actor_id) REFERENCES users (branch_id, id);
CREATE UNIQUE INDEX rectification_events_one_per_step ON rectification_events (branch_id, task_id, task_steps)
    WHERE task_steps IS NOT NULL;
CREATE INDEX rectification_events_task ON rectification_events (branch_id, task_id, at);
-- One escalation per task, whatever number of schedulers claim it.
CREATE UNIQUE INDEX rectification_events_one_overdue ON rectification_events (branch_id, task_id) WHERE kind = 'overdue';

ALTER TABLE rectification_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE rectification_tasks FORCE ROW LEVEL SECURITY;
ALTER TABLE rectification_complaints ENABLE ROW LEVEL SECURITY;
ALTER TABLE rectification_complaints FORCE ROW LEVEL SECURITY;
ALTER TABLE rectification_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE rectification_events FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON rectification_tasks TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY platform ON rectification_complaints TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY platform ON rectification_events TO redress_platform USING (true) WITH CHECK (true)$$);

-- Seen as complaints are: by the branch's case-wide roles, the responsible department, the responsible person.
SELECT public.scoped_policy($$CREATE POLICY visible ON rectification_tasks FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR responsible_user_id = (SELECT scope.user_id())))$$);
-- Made, as themselves and open, by a branch manager of the branch or the head of the responsible department.
SELECT public.scoped_policy($$CREATE POLICY made ON rectification_tasks FOR INSERT TO redress_service
    WITH CHECK (created_by = (SELECT scope.user_id()) AND status = 'open' AND escalated_at IS NULL AND accepted_at IS NULL
                AND submitted_at IS NULL AND progress_percent = 0 AND sent_back_count = 0
                AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (('branch_manager' = ANY ((SELECT scope.roles())::text[]) AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))
                     OR ('department_head' = ANY ((SELECT scope.roles())::text[]) AND department_id = ANY ((SELECT scope.department_ids())::uuid[]))))$$);
-- Worked on by the branch's managers, the responsible department and the responsible person; who
-- may take which step is `public.rectification_steps`.
SELECT public.scoped_policy($$CREATE POLICY worked_on ON rectification_tasks FOR UPDATE TO redress_service
    USING ((SELECT scope.user_id()) IS NOT NULL AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (('branch_manager' = ANY ((SELECT scope.roles())::text[]) AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))
                OR department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR responsible_user_id = (SELECT scope.user_id())))
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (('branch_manager' = ANY ((SELECT scope.roles())::text[]) AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))
                     OR department_id = ANY ((SELECT scope.department_ids())::uuid[])
                     OR responsible_user_id = (SELECT scope.user_id())))$$);
GRANT SELECT ON rectification_tasks TO redress_service;
GRANT INSERT (branch_id, id, title, problem, measures, acceptance_criteria, department_id, responsible_user_id, due_at,
              category_ids, department_ids, evaluation_days, created_by)
    ON rectification_tasks TO redress_service;
-- The times of steps and the step count are the trigger's (`public.rectification_steps`).
GRANT UPDATE (status, progress_percent, acceptance_report, submitted_by, sent_back_count, accepted_by, decision_reasoning, updated_at)
    ON rectification_tasks TO redress_service;

SELECT public.scoped_policy($$CREATE POLICY visible ON rectification_complaints FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR task_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR task_responsible_user_id = (SELECT scope.user_id())))$$);
SELECT public.scoped_policy($$CREATE POLICY linked ON rectification_complaints FOR INSERT TO redress_service
    WITH CHECK (task_created_at = now() AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (('branch_manager' = ANY ((SELECT scope.roles())::text[]) AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))
                     OR ('department_head' = ANY ((SELECT scope.roles())::text[])
                         AND task_department_id = ANY ((SELECT scope.department_ids())::uuid[]))))$$);
GRANT SELECT, INSERT ON rectification_complaints TO redress_service;
-- Links are read by the complaint's rules too: the store joins the complaints the caller sees.

SELECT public.scoped_policy($$CREATE POLICY visible ON rectification_events FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR task_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR task_responsible_user_id = (SELECT scope.user_id())))$$);
-- Written by whoever may work on the task, as themselves; `overdue` only by the scheduler.
SELECT public.scoped_policy($$CREATE POLICY written ON rectification_events FOR INSERT TO redress_service
    WITH CHECK (actor_id = (SELECT scope.user_id()) AND kind <> 'overdue'
                AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (('branch_manager' = ANY ((SELECT scope.roles())::text[]) AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))
                     OR task_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                     OR task_responsible_user_id = (SELECT scope.user_id())))$$);
GRANT SELECT ON rectification_events TO redress_service;
GRANT INSERT (branch_id, task_id, kind, actor_id, note, after, task_department_id, task_responsible_user_id, task_steps)
    ON rectification_events TO redress_service;

CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON rectification_tasks
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('rectification_tasks');
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON rectification_complaints
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('rectification_complaints');
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON rectification_events
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('rectification_events');

-- The steps a caller may take, whatever the service asks, each counted and timed here:
-- - without a change of status, progress while the task is open, and nothing else;
-- - open → submitted, with the report, by the responsible person or a member of the responsible
--   department, as themselves;
-- - submitted → open (sent back, counted) or → accepted, with the reasoning, by the head of the
--   responsible department or a branch manager, as themselves, who is neither the responsible
--   person nor the submitter; the report and its submitter stay as they were.
-- Accepted is final. The owner's writes (the scheduler's) pass. It reads the row and the
-- transaction's scope alone, so it runs on any shard.
CREATE FUNCTION public.rectification_steps() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    caller uuid := scope.user_id();
    decides boolean;
BEGIN
    IF current_user <> 'redress_service' THEN
        RETURN NEW;
    END IF;
    IF caller IS NULL OR OLD.status = 'accepted' THEN
        RAISE EXCEPTION 'rectification task % is not changed now', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = OLD.status THEN
        IF OLD.status <> 'open' AND NEW.progress_percent <> OLD.progress_percent THEN
            RAISE EXCEPTION 'progress is recorded while the task is open' USING ERRCODE = 'check_violation';
        END IF;
        IF (NEW.acceptance_report, NEW.submitted_by, NEW.sent_back_count, NEW.accepted_by, NEW.decision_reasoning)
           IS DISTINCT FROM (OLD.acceptance_report, OLD.submitted_by, OLD.sent_back_count, OLD.accepted_by, OLD.decision_reasoning) THEN
            RAISE EXCEPTION 'a rectification task''s report and decision change only with its steps' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    decides := ('branch_manager' = ANY (scope.roles()) AND NEW.branch_id = ANY (scope.case_write_branch_ids()))
               OR ('department_head' = ANY (scope.roles()) AND NEW.department_id = ANY (scope.department_ids()));
    IF OLD.status = 'open' AND NEW.status = 'submitted' THEN
        IF NOT (caller = NEW.responsible_user_id OR NEW.department_id = ANY (scope.department_ids()))
           OR NEW.submitted_by IS DISTINCT FROM caller OR NEW.acceptance_report IS NULL
           OR (NEW.sent_back_count, NEW.accepted_by) IS DISTINCT FROM (OLD.sent_back_count, OLD.accepted_by) THEN
            RAISE EXCEPTION 'a rectification task is submitted by its responsible side, as themselves, with its report'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.submitted_at := now();
        NEW.progress_percent := 100;
        NEW.decision_reasoning := NULL;
        NEW.last_step := 'submitted';
    ELSIF OLD.status = 'submitted' AND NEW.status IN ('accepted', 'open') THEN
        IF NOT decides OR caller = NEW.responsible_user_id OR caller = OLD.submitted_by OR NEW.decision_reasoning IS NULL
           OR (NEW.acceptance_report, NEW.submitted_by) IS DISTINCT FROM (OLD.acceptance_report, OLD.submitted_by)
           OR (NEW.status = 'accepted' AND (NEW.accepted_by IS DISTINCT FROM caller OR NEW.sent_back_count <> OLD.sent_back_count))
           OR (NEW.status = 'open' AND (NEW.accepted_by IS NOT NULL OR NEW.sent_back_count <> OLD.sent_back_count + 1)) THEN
            RAISE EXCEPTION 'an acceptance report is accepted or sent back, with reasons, by a head or branch manager who neither is responsible nor submitted it'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.accepted_at := CASE WHEN NEW.status = 'accepted' THEN now() END;
        NEW.last_step := CASE WHEN NEW.status = 'accepted' THEN 'accepted' ELSE 'sent_back' END;
    ELSE
        RAISE EXCEPTION 'a rectification task does not go from % to %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    NEW.steps := OLD.steps + 1;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION public.rectification_steps() FROM PUBLIC;
CREATE TRIGGER steps BEFORE UPDATE ON rectification_tasks
    FOR EACH ROW EXECUTE FUNCTION public.rectification_steps();

-- Escalates up to `batch` open tasks of `branch` past their deadline, each once: the tasks are
-- claimed FOR UPDATE SKIP LOCKED and marked `escalated_at` in one statement, then each gets an
-- `overdue` entry naming the head of its department and the branch managers (the unique
-- `rectification_events_one_overdue` besides). The recipients are read in statements over no
-- table, as Citus requires of functions that read tables. Returns what it escalated.
CREATE FUNCTION scheduler.escalate_rectifications(branch uuid, batch integer)
    RETURNS TABLE (branch_id uuid, task_id uuid, late_seconds integer, recipients uuid[])
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    claimed record;
    managers uuid[];
    people uuid[];
    late integer;
    noted uuid;
BEGIN
    SELECT coalesce(array_agg(l.user_id), '{}') INTO managers FROM scheduler.plan_recipients(branch, 2, NULL, '{}') l;
    FOR claimed IN
        WITH due AS (
            SELECT t.branch_id, t.id, t.due_at, t.department_id, t.responsible_user_id
              FROM public.rectification_tasks t
             WHERE t.branch_id = branch AND t.status = 'open' AND t.escalated_at IS NULL AND t.due_at <= now()
             ORDER BY t.due_at
             LIMIT batch
               FOR UPDATE SKIP LOCKED
        ), marked AS (
            UPDATE public.rectification_tasks t SET escalated_at = now()
              FROM due d
             WHERE t.branch_id = branch AND t.id = d.id
            RETURNING t.id
        )
        SELECT d.* FROM due d JOIN marked m ON m.id = d.id ORDER BY d.due_at, d.id
    LOOP
        late := greatest(0, extract(epoch FROM now() - claimed.due_at))::integer;
        SELECT coalesce(array_agg(DISTINCT p.user_id ORDER BY p.user_id), '{}') INTO people
          FROM (SELECT l.user_id FROM scheduler.plan_recipients(branch, 1, claimed.department_id, '{}') l
                UNION ALL
                SELECT m FROM unnest(managers) AS m) p;
        noted := NULL;
        INSERT INTO public.rectification_events (branch_id, task_id, kind, after, task_department_id, task_responsible_user_id)
        VALUES (branch, claimed.id, 'overdue',
                jsonb_build_object('dueAt', to_json(claimed.due_at) #>> '{}', 'lateSeconds', late, 'recipients', to_jsonb(people)),
                claimed.department_id, claimed.responsible_user_id)
        ON CONFLICT (branch_id, task_id) WHERE kind = 'overdue' DO NOTHING
        RETURNING id INTO noted;
        IF noted IS NOT NULL THEN
            branch_id := branch;
            task_id := claimed.id;
            late_seconds := late;
            recipients := people;
            RETURN NEXT;
        END IF;
    END LOOP;
END
$$;

-- The branches with tasks overdue and not yet escalated, those due longest first.
CREATE FUNCTION scheduler.due_rectification_branches(batch integer) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT q.branch_id FROM (
        SELECT t.branch_id, t.due_at FROM public.rectification_tasks t
         WHERE t.status = 'open' AND t.escalated_at IS NULL AND t.due_at <= now() ORDER BY t.due_at LIMIT batch) q
     GROUP BY q.branch_id ORDER BY min(q.due_at);
END
$$;

-- The earliest time the scheduler has work, rectification deadlines included.
CREATE OR REPLACE FUNCTION scheduler.next_due() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT least((SELECT min(next_escalation_at) FROM public.complaints WHERE next_escalation_at IS NOT NULL),
                 (SELECT min(next_alarm_at) FROM public.complaints WHERE next_alarm_at IS NOT NULL),
                 (SELECT min(ack_due_at) FROM public.escalations WHERE ack_due_at IS NOT NULL),
                 (SELECT min(due_at) FROM public.follow_ups WHERE status = 'due' AND escalated_at IS NULL),
                 (SELECT min(requested_at) FROM public.complaint_reviews WHERE status = 'requested' AND told_at IS NULL),
                 (SELECT min(due_at) FROM public.complaint_reviews WHERE status = 'requested' AND escalated_at IS NULL),
                 (SELECT min(due_at) FROM public.rectification_tasks WHERE status = 'open' AND escalated_at IS NULL))
$$;

REVOKE ALL ON FUNCTION scheduler.escalate_rectifications(uuid, integer), scheduler.due_rectification_branches(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.escalate_rectifications(uuid, integer), scheduler.due_rectification_branches(integer)
    TO redress_scheduler;
