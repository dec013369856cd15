-- Targets and KPIs (001 §5.4.2, §6.1; 004 §六): a branch's managers and admins set targets per
-- measure, for the branch or one of its departments, in force from a month until a later target of
-- the same measure replaces it. The KPI report (`KPIStore.report`) sets each month's actual
-- figures, from `reports.kpi_figures`, beside the target in force that month.
--
-- The measures (RedressCore/Reports/KPIMeasure.swift): the satisfaction rate, the average and
-- 90th percentile of handling time in working days, the on-time rate of each milestone, and the
-- repeat rate. Rates are fractions (0.85 for 85 %).
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE TABLE kpi_targets (
    branch_id      uuid NOT NULL,
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    -- NULL: the branch's own target, which also holds for departments without one.
    department_id  uuid,
    measure        text NOT NULL CHECK (measure IN ('satisfaction_rate', 'handling_days_average', 'handling_days_p90',
                                                    'on_time_rate_acknowledge', 'on_time_rate_initial_reply',
                                                    'on_time_rate_preliminary_feedback', 'on_time_rate_result', 'repeat_rate')),
    target         numeric(10, 4) NOT NULL
                   CHECK (CASE WHEN measure LIKE 'handling_days%' THEN target BETWEEN 0 AND 366 ELSE target BETWEEN 0 AND 1 END),
    -- The first day of the month from which the target holds.
    effective_from date NOT NULL CHECK (extract(day FROM effective_from) = 1),
    set_by         uuid NOT NULL,
    set_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    UNIQUE NULLS NOT DISTINCT (branch_id, department_id, measure, effective_from)
);
SELECT public.distribute_by_branch('public.kpi_targets');
ALTER TABLE kpi_targets ADD CONSTRAINT kpi_targets_department FOREIGN KEY (branch_id, department_id) REFERENCES departments (branch_id, id);
ALTER TABLE kpi_targets ADD CONSTRAINT kpi_targets_set_by FOREIGN KEY (branch_id, set_by) REFERENCES users (branch_id, id);

-- Read by everyone of the branches they concern; set, corrected and removed by the home branch's
-- managers and admins, each change under the name of who made it.
ALTER TABLE kpi_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_targets FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON kpi_targets TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY visible ON kpi_targets FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY set ON kpi_targets FOR INSERT TO redress_service
    WITH CHECK (set_by = (SELECT scope.user_id())
                AND (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])
                     OR ('branch_manager' = ANY ((SELECT scope.roles())::text[])
                         AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))))$$);
SELECT public.scoped_policy($$CREATE POLICY corrected ON kpi_targets FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])
           OR ('branch_manager' = ANY ((SELECT scope.roles())::text[]) AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])))
    WITH CHECK (set_by = (SELECT scope.user_id())
                AND (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])
                     OR ('branch_manager' = ANY ((SELECT scope.roles())::text[])
                         AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))))$$);
SELECT public.scoped_policy($$CREATE POLICY removed ON kpi_targets FOR DELETE TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[])
           OR ('branch_manager' = ANY ((SELECT scope.roles())::text[]) AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])))$$);
GRANT SELECT, DELETE ON kpi_targets TO redress_service;
GRANT INSERT (branch_id, department_id, measure, target, effective_from, set_by) ON kpi_targets TO redress_service;
GRANT UPDATE (target, set_by, set_at) ON kpi_targets TO redress_service;
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON kpi_targets
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('kpi_targets');

-- The actual figures behind every measure, per branch, month and group (`none`, `department` or
-- `responsible`), over the complaints received in the months from `first_month` to `last_month`
-- (first days of months) that the caller counts in reports: every complaint of a case-wide
-- branch, else those of the caller's departments. Months are the branch's local months.
--
-- Handling time is counted in working days of the branch's calendar: the working days after the
-- local day of receipt up to and including the local day the result was given (a complaint
-- answered the day it arrived took 0; one received on a Friday evening and answered on Monday, 1).
-- Every group stays within a branch, so each branch is read and reckoned in a statement of its own,
-- which on Citus is a query on one shard; the labels are read after, over the figures alone.
CREATE FUNCTION reports.kpi_figures(first_month date, last_month date, group_by text, only_branch uuid, only_department uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
    home record;
    figures jsonb := '[]';
BEGIN
    IF group_by NOT IN ('none', 'department', 'responsible') THEN
        RAISE EXCEPTION 'KPIs group by none, department or responsible, not %', group_by USING ERRCODE = '22023';
    END IF;
    FOR home IN
        SELECT b.id AS branch_id, b.time_zone,
               first_month::timestamp AT TIME ZONE b.time_zone AS period_start,
               (last_month + interval '1 month')::timestamp AT TIME ZONE b.time_zone AS period_end,
               coalesce(cal.hours, '{}'::jsonb) AS hours, coalesce(cal.holidays, '{}'::date[]) AS holidays,
               coalesce(cal.make_up_days, '{}'::date[]) AS make_up_days,
               greatest((last_month + interval '1 month')::date, (now() AT TIME ZONE b.time_zone)::date + 1) AS last_day
          FROM branches b
          LEFT JOIN branch_calendars cal ON cal.branch_id = b.id
         WHERE b.id = ANY ((SELECT scope.branch_ids())::uuid[]) AND (only_branch IS NULL OR b.id = only_branch)
         ORDER BY b.id
    LOOP
        figures := figures || coalesce((
            WITH days AS MATERIALIZED (
                -- Each day from the first month on, numbered by the working days up to it.
                SELECT day, count(*) FILTER (WHERE working) OVER (ORDER BY day) AS working_days
                  FROM (SELECT d::date AS day,
                               d::date = ANY (home.make_up_days)
                               OR (NOT d::date = ANY (home.holidays)
                                   AND jsonb_array_length(coalesce(home.hours -> (extract(dow FROM d)::integer + 1)::text, '[]'::jsonb)) > 0)
                               AS working
                          FROM generate_series(first_month::timestamp, home.last_day::timestamp, interval '1 day') AS d) calendar
            ), cohort AS MATERIALIZED (
                SELECT to_char(c.received_at AT TIME ZONE home.time_zone, 'YYYY-MM') AS month,
                       CASE group_by WHEN 'department' THEN c.department_id::text WHEN 'responsible' THEN c.responsible_user_id::text END AS key,
                       c.nature, c.repeat_of, c.satisfaction,
                       answered.working_days - received.working_days AS handling_days,
                       c.acknowledge_met_at, c.initial_reply_met_at, c.preliminary_feedback_met_at, c.result_met_at,
                       c.acknowledge_deadline AS acknowledge_due, c.initial_reply_deadline AS initial_reply_due,
                       c.preliminary_feedback_deadline AS preliminary_feedback_due, c.result_deadline AS result_due
                  FROM complaints c
                  LEFT JOIN days received ON received.day = (c.received_at AT TIME ZONE home.time_zone)::date
                  LEFT JOIN days answered ON answered.day = (c.result_met_at AT TIME ZONE home.time_zone)::date
                 WHERE c.branch_id = home.branch_id AND c.received_at >= home.period_start AND c.received_at < home.period_end
                   AND (c.branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                        OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))
                   AND (only_department IS NULL OR c.department_id = only_department)
            )
            SELECT jsonb_agg(figure ORDER BY month, total DESC, key) FROM (
            SELECT month, key, GROUPING(key) = 1 AS total, jsonb_build_object(
                       'branchId', home.branch_id, 'month', month, 'total', GROUPING(key) = 1, 'key', key,
                       'received', count(*),
                       'repeats', count(*) FILTER (WHERE nature = 'repeat' OR repeat_of IS NOT NULL),
                       'surveyed', count(satisfaction),
                       'satisfiedOrBasically', count(*) FILTER (WHERE satisfaction >= 6),
                       'handled', count(handling_days),
                       'handlingDaysAverage', round(avg(handling_days), 4),
                       'handlingDaysP90', percentile_cont(0.9) WITHIN GROUP (ORDER BY handling_days),
                       'milestones', jsonb_build_object(
                           'acknowledge', jsonb_build_object(
                               'due', count(*) FILTER (WHERE acknowledge_met_at IS NOT NULL AND acknowledge_due IS NOT NULL OR acknowledge_due < now()),
                               'onTime', count(*) FILTER (WHERE acknowledge_met_at <= acknowledge_due)),
                           'initial_reply', jsonb_build_object(
                               'due', count(*) FILTER (WHERE initial_reply_met_at IS NOT NULL AND initial_reply_due IS NOT NULL
                                                          OR initial_reply_due < now()),
                               'onTime', count(*) FILTER (WHERE initial_reply_met_at <= initial_reply_due)),
                           'preliminary_feedback', jsonb_build_object(
                               'due', count(*) FILTER (WHERE preliminary_feedback_met_at IS NOT NULL AND preliminary_feedback_due IS NOT NULL
                                                          OR preliminary_feedback_due < now()),
                               'onTime', count(*) FILTER (WHERE preliminary_feedback_met_at <= preliminary_feedback_due)),
                           'result', jsonb_build_object(
                               'due', count(*) FILTER (WHERE result_met_at IS NOT NULL AND result_due IS NOT NULL OR result_due < now()),
                               'onTime', count(*) FILTER (WHERE result_met_at <= result_due)))) AS figure
              FROM cohort
             GROUP BY GROUPING SETS ((month), (month, key))
            HAVING group_by <> 'none' OR GROUPING(key) = 1) grouped
        ), '[]'::jsonb);
    END LOOP;
    -- The labels, over the figures alone: on Citus this statement reads no distributed table.
    RETURN (SELECT coalesce(jsonb_agg(f.figure || jsonb_build_object('label', CASE WHEN group_by <> 'none' AND f.figure ->> 'key' IS NOT NULL
                                                                                   THEN reports.label(group_by, f.figure ->> 'key') END)
                                      ORDER BY f.position), '[]'::jsonb)
              FROM jsonb_array_elements(figures) WITH ORDINALITY AS f (figure, position));
END
$function$;
REVOKE ALL ON FUNCTION reports.kpi_figures(date, date, text, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reports.kpi_figures(date, date, text, uuid, uuid) TO redress_service;
