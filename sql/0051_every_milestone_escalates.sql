-- Every deadline escalates, not only the ladder's tiers counted from receipt. With a complaint's
-- deadlines the service computes its alarms (`SLAAlarm`, `PlanAlarm`): for each milestone a warning
-- to the person responsible once the policy's `warningPercent` of its time has passed, and its
-- breach, escalated to the rung the policy names for it (`breachRungs`; the first rung unless
-- named); for a plan awaiting approval a page to its approver at once (the department's head; the
-- branch managers for the leadership's approval a level-1 or major complaint needs) and, when the
-- policy's `planApprovalHours` run out, one page a level up (branch managers; executives); for an
-- approved plan, a page to the head when its own deadline passes; and notices to the head of a
-- department a complaint was routed or handed to, or reopened in after a dissatisfied follow-up,
-- which the service adds when that happens; and, beside the milestones, a page to the branch
-- managers when the statutory days for the result pass (`statutoryResultDays`, 7) and to the head
-- when a complaint being worked has no handling plan in time (`handlingPlanHours`, 48).
-- `scheduler.raise_alarms` raises
-- each alarm once, with the guarantees of the tiers: claims `FOR UPDATE SKIP LOCKED` in one branch
-- at a time, the raised alarm's key kept on the complaint, and a unique key on the escalation it
-- records; an alarm missed while nothing ran is raised late, saying how late, except a warning
-- whose breach is due as well: that one is dropped, the breach says more. A complaint's alarms
-- wait while one of its tiers is due and not yet fired, and a breach does not page again whoever
-- holds a page of the complaint that nobody took yet. A breach's escalation waits for
-- acknowledgement and re-pages up the ladder like a tier's; the others do not wait.

-- The alarms as the service computed them (key `warning:acknowledge`, due time, the rung a breach
-- pages), those the scheduler raised, and the next one due: the scheduler's queue.
ALTER TABLE complaints
    ADD COLUMN sla_alarm_keys text[] NOT NULL DEFAULT '{}',
    ADD COLUMN sla_alarm_due_at timestamptz[] NOT NULL DEFAULT '{}',
    ADD COLUMN sla_alarm_rungs smallint[] NOT NULL DEFAULT '{}',
    ADD COLUMN sla_alarms_raised text[] NOT NULL DEFAULT '{}',
    ADD COLUMN next_alarm_at timestamptz;
CREATE INDEX complaints_next_alarm ON complaints (next_alarm_at) WHERE next_alarm_at IS NOT NULL;
CREATE INDEX complaints_next_alarm_per_branch ON complaints (branch_id, next_alarm_at) WHERE next_alarm_at IS NOT NULL;
-- The service computes the alarms; only the scheduler says one was raised.
GRANT UPDATE (sla_alarm_keys, sla_alarm_due_at, sla_alarm_rungs, next_alarm_at) ON complaints TO redress_service, redress_scheduler;

-- An escalation an alarm raised keeps the alarm's key, which is unique in its complaint; it names
-- its milestone, or its plan and why, or why its department's head is told. Only a breach is a
-- rung of the ladder: the others are recorded as tier 0.
ALTER TABLE escalations
    ADD COLUMN alarm_key text,
    ADD COLUMN milestone text CHECK (milestone IN ('acknowledge', 'initial_reply', 'preliminary_feedback', 'result')),
    ADD COLUMN plan_id uuid,
    ADD COLUMN reason text CHECK (reason IN ('plan_approval', 'plan_approval_overdue', 'plan_leadership_approval',
                                             'plan_leadership_approval_overdue', 'plan_overdue', 'department_routed', 'reopened',
                                             'statutory_result_overdue', 'handling_plan_missing')),
    ADD FOREIGN KEY (branch_id, plan_id) REFERENCES complaint_plans (branch_id, id),
    ADD CHECK ((plan_id IS NOT NULL) = (reason LIKE 'plan\_%')),
    ADD CHECK ((alarm_key IS NULL) = (milestone IS NULL AND reason IS NULL));
ALTER TABLE escalations DROP CONSTRAINT escalations_tier_check;
ALTER TABLE escalations ADD CONSTRAINT escalations_tier_check CHECK (tier >= 1 OR (tier = 0 AND alarm_key IS NOT NULL));
ALTER TABLE escalations DROP CONSTRAINT escalations_branch_id_complaint_id_tier_key;
ALTER TABLE escalations ADD CONSTRAINT escalations_branch_id_complaint_id_tier_key
    UNIQUE NULLS NOT DISTINCT (branch_id, complaint_id, tier, follow_up_id, alarm_key);

-- Recomputing stale deadlines (the scheduler's role, `ComplaintStore.recomputeStale`) reads the
-- plan awaiting approval or carried out, for its alarms.
GRANT SELECT (branch_id, id, complaint_id, status, proposed_at, head_approved_at, due_at) ON complaint_plans TO redress_scheduler;
SELECT public.scoped_policy($$CREATE POLICY scheduled ON public.complaint_plans FOR SELECT TO redress_scheduler
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))$$);

-- A warning goes to the complaint's responsible person.
ALTER TABLE pages DROP CONSTRAINT pages_recipient_kind_check;
ALTER TABLE pages ADD CONSTRAINT pages_recipient_kind_check
    CHECK (recipient_kind IN ('department_head', 'branch_manager', 'complaint_office', 'executives', 'bots', 'responsible_person'));

-- Who a warning goes to: the complaint's responsible person, while active; else the head of its
-- department; else nobody (it is on the timeline all the same).
CREATE FUNCTION scheduler.warning_recipients(branch uuid, department uuid, responsible uuid)
    RETURNS TABLE (kind text, user_id uuid)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT 'responsible_person', u.id FROM public.users u
                  WHERE u.branch_id = branch AND u.id = responsible AND u.active;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'department_head', u.id
                       FROM public.departments d JOIN public.users u ON u.branch_id = d.branch_id AND u.id = d.head_user_id
                      WHERE d.branch_id = branch AND d.id = department AND u.active;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION scheduler.warning_recipients(uuid, uuid, uuid) FROM PUBLIC;

-- Who a plan's page or a notice goes to, by level: 1 the head of the complaint's department, 2 the branch
-- managers, 3 the executives covering the branch (`granted_executives` those of other branches).
CREATE FUNCTION scheduler.plan_recipients(branch uuid, level integer, department uuid, granted_executives uuid[])
    RETURNS TABLE (kind text, user_id uuid)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT 'department_head', u.id FROM public.departments d JOIN public.users u ON u.branch_id = d.branch_id AND u.id = d.head_user_id
         WHERE level = 1 AND d.branch_id = branch AND d.id = department AND u.active
        UNION
        SELECT 'branch_manager', u.id FROM public.users u
         WHERE level = 2 AND u.branch_id = branch AND 'branch_manager' = ANY (u.roles) AND u.active
        UNION
        SELECT 'executives', u.id FROM public.users u
         WHERE level = 3 AND u.branch_id = branch AND 'executive' = ANY (u.roles) AND u.active
        UNION
        SELECT 'executives', g.id FROM unnest(granted_executives) AS g (id) WHERE level = 3;
END
$$;
REVOKE ALL ON FUNCTION scheduler.plan_recipients(uuid, integer, uuid, uuid[]) FROM PUBLIC;

-- A page's summary says which milestone it is about, and whether as a warning or a breach.
CREATE OR REPLACE FUNCTION scheduler.page(branch uuid, escalations uuid[], kinds text[], users uuid[]) RETURNS uuid[]
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    paged_escalations uuid[] := '{}';
    recipients uuid[] := '{}';
    delivering boolean := false;
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
        RETURNING pages.escalation_id, pages.id, pages.recipient_user_id
    ), delivered AS (
        INSERT INTO public.page_deliveries (branch_id, page_id, webhook_id)
        SELECT branch, pg.id, w.id
          FROM paged pg
          JOIN public.webhooks w ON w.branch_id = branch AND w.user_id = pg.recipient_user_id AND w.active
        RETURNING page_deliveries.page_id
    )
    SELECT coalesce(array_agg(pg.escalation_id), '{}'), coalesce(array_agg(DISTINCT pg.recipient_user_id), '{}'),
           EXISTS (SELECT FROM delivered)
      INTO paged_escalations, recipients, delivering
      FROM paged pg;

    PERFORM pg_notify('redress_pages', x.recipient::text) FROM unnest(recipients) AS x (recipient);
    IF delivering THEN
        PERFORM pg_notify('redress_deliveries', '');
    END IF;
    RETURN paged_escalations;
END
$$;

-- Raises up to `batch` complaints' due alarms in `branch`, in the steps of 0038: the claim (each
-- alarm recorded once as an escalation naming its milestone or plan, with its timeline entry), who
-- is paged, the pages. A breach pages its rung's recipients but not those who hold a page of the
-- complaint nobody took yet (a tier that fell due at the same moment); a warning pages the
-- responsible person; a plan's page its level's people, never the plan's proposer for an
-- approval. Returns what it recorded.
CREATE FUNCTION scheduler.raise_alarms(branch uuid, batch integer)
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
BEGIN
    -- 1. The claim.
    WITH due AS (
        SELECT c.branch_id, c.id, c.sla_policy_id, c.department_id, c.collaborating_department_ids, c.responsible_user_id,
               c.sla_alarm_keys, c.sla_alarm_due_at, c.sla_alarm_rungs, c.sla_alarms_raised
          FROM public.complaints c
         WHERE c.branch_id = branch AND c.next_alarm_at <= now()
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
        RETURNING c.branch_id, c.id
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
                  escalations.case_department_id, escalations.case_collaborating_department_ids, escalations.case_responsible_user_id
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
    )
    SELECT coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.complaint_id), '{}'), coalesce(array_agg(r.milestone), '{}'),
           coalesce(array_agg(r.plan_id), '{}'), coalesce(array_agg(r.reason), '{}'),
           coalesce(array_agg(r.tier), '{}'), coalesce(array_agg(r.due_at), '{}'), coalesce(array_agg(r.late_seconds), '{}'),
           coalesce(array_agg(r.department_id), '{}'), coalesce(array_agg(r.case_responsible_user_id), '{}'),
           coalesce(array_agg(d.sla_policy_id), '{}')
      INTO claimed_ids, claimed_complaints, claimed_milestones, claimed_plans, claimed_reasons, claimed_tiers, claimed_due,
           claimed_late, claimed_departments, claimed_responsible, claimed_policies
      FROM recorded r
      JOIN due d ON d.branch_id = r.branch_id AND d.id = r.complaint_id;
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
    UPDATE public.escalations e SET ack_due_at = NULL
     WHERE e.branch_id = branch AND e.id = ANY (claimed_ids) AND e.ack_due_at IS NOT NULL AND NOT e.id = ANY (paged_escalations);

    RETURN QUERY
        SELECT branch, e.complaint_id, e.milestone, e.plan_id, e.reason, e.tier, e.due_at, e.late_seconds, coalesce(pc.pages, 0)
          FROM unnest(claimed_ids, claimed_complaints, claimed_milestones, claimed_plans, claimed_reasons, claimed_tiers, claimed_due,
                      claimed_late)
               AS e (id, complaint_id, milestone, plan_id, reason, tier, due_at, late_seconds)
          LEFT JOIN (SELECT p.id, count(*)::integer AS pages FROM unnest(paged_escalations) AS p (id) GROUP BY p.id) pc ON pc.id = e.id;
END
$$;
REVOKE ALL ON FUNCTION scheduler.raise_alarms(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.raise_alarms(uuid, integer) TO redress_scheduler;

-- The branches with alarms due, beside the other kinds of work (0026).
CREATE OR REPLACE FUNCTION scheduler.due_branches(work text, batch integer) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    CASE work
    WHEN 'escalations' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT c.branch_id, c.next_escalation_at AS due FROM public.complaints c
             WHERE c.next_escalation_at <= now() ORDER BY c.next_escalation_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    WHEN 'alarms' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT c.branch_id, c.next_alarm_at AS due FROM public.complaints c
             WHERE c.next_alarm_at <= now() ORDER BY c.next_alarm_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    WHEN 'repages' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT e.branch_id, e.ack_due_at AS due FROM public.escalations e
             WHERE e.ack_due_at <= now() ORDER BY e.ack_due_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    WHEN 'follow_ups' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT f.branch_id, f.due_at AS due FROM public.follow_ups f
             WHERE f.status = 'due' AND f.escalated_at IS NULL AND f.due_at <= now() ORDER BY f.due_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    WHEN 'deliveries' THEN
        RETURN QUERY SELECT q.branch_id FROM (
            SELECT d.branch_id, d.next_attempt_at AS due FROM public.page_deliveries d
             WHERE d.state = 'pending' AND d.next_attempt_at <= now() ORDER BY d.next_attempt_at LIMIT batch) q
         GROUP BY q.branch_id ORDER BY min(q.due);
    END CASE;
END
$$;

-- The earliest time the scheduler has work: a tier or an alarm falling due, an ack window
-- ending, or a follow-up falling overdue.
CREATE OR REPLACE FUNCTION scheduler.next_due() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT least((SELECT min(next_escalation_at) FROM public.complaints WHERE next_escalation_at IS NOT NULL),
                 (SELECT min(next_alarm_at) FROM public.complaints WHERE next_alarm_at IS NOT NULL),
                 (SELECT min(ack_due_at) FROM public.escalations WHERE ack_due_at IS NOT NULL),
                 (SELECT min(due_at) FROM public.follow_ups WHERE status = 'due' AND escalated_at IS NULL))
$$;
