-- KPI figures exactly and within one branch (0068): the average handling time is given unrounded,
-- so a target with decimals is met or missed by the exact figure; each branch's calendar is read
-- in a statement of its own, like its complaints (on Citus, a query on one shard); and the days
-- numbered for handling time run from the first month to the last result counted, not to today,
-- so a trend long ago numbers only the days it needs. A department's targets go with it when it
-- is deleted.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

ALTER TABLE kpi_targets DROP CONSTRAINT kpi_targets_department;
ALTER TABLE kpi_targets ADD CONSTRAINT kpi_targets_department
    FOREIGN KEY (branch_id, department_id) REFERENCES departments (branch_id, id) ON DELETE CASCADE;

CREATE OR REPLACE FUNCTION reports.kpi_figures(first_month date, last_month date, group_by text, only_branch uuid, only_department uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
    home record;
    calendar record;
    figures jsonb := '[]';
BEGIN
    IF group_by NOT IN ('none', 'department', 'responsible') THEN
        RAISE EXCEPTION 'KPIs group by none, department or responsible, not %', group_by USING ERRCODE = '22023';
    END IF;
    FOR home IN
        SELECT b.id AS branch_id, b.time_zone,
               first_month::timestamp AT TIME ZONE b.time_zone AS period_start,
               (last_month + interval '1 month')::timestamp AT TIME ZONE b.time_zone AS period_end
          FROM branches b
         WHERE b.id = ANY ((SELECT scope.branch_ids())::uuid[]) AND (only_branch IS NULL OR b.id = only_branch)
         ORDER BY b.id
    LOOP
        -- Every field NULL for a branch without a calendar: then no day works.
        SELECT cal.hours, cal.holidays, cal.make_up_days INTO calendar FROM branch_calendars cal WHERE cal.branch_id = home.branch_id;
        figures := figures || coalesce((
            WITH cohort AS MATERIALIZED (
                SELECT to_char(c.received_at AT TIME ZONE home.time_zone, 'YYYY-MM') AS month,
                       CASE group_by WHEN 'department' THEN c.department_id::text WHEN 'responsible' THEN c.responsible_user_id::text END AS key,
                       c.nature, c.repeat_of, c.satisfaction,
                       (c.received_at AT TIME ZONE home.time_zone)::date AS received_day,
                       (c.result_met_at AT TIME ZONE home.time_zone)::date AS answered_day,
                       c.acknowledge_met_at, c.initial_reply_met_at, c.preliminary_feedback_met_at, c.result_met_at,
                       c.acknowledge_deadline AS acknowledge_due, c.initial_reply_deadline AS initial_reply_due,
                       c.preliminary_feedback_deadline AS preliminary_feedback_due, c.result_deadline AS result_due
                  FROM complaints c
                 WHERE c.branch_id = home.branch_id AND c.received_at >= home.period_start AND c.received_at < home.period_end
                   AND (c.branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                        OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))
                   AND (only_department IS NULL OR c.department_id = only_department)
            ), days AS MATERIALIZED (
                -- Each day from the first month to the last result, numbered by the working days up to it.
                SELECT day, count(*) FILTER (WHERE working) OVER (ORDER BY day) AS working_days
                  FROM (SELECT d::date AS day,
                               coalesce(d::date = ANY (calendar.make_up_days), false)
                               OR (NOT coalesce(d::date = ANY (calendar.holidays), false)
                                   AND jsonb_array_length(coalesce(calendar.hours -> (extract(dow FROM d)::integer + 1)::text, '[]'::jsonb)) > 0)
                               AS working
                          FROM generate_series(first_month::timestamp, (SELECT coalesce(max(answered_day), first_month) FROM cohort)::timestamp,
                                               interval '1 day') AS d) working
            ), figured AS (
                SELECT cohort.*, answered.working_days - received.working_days AS handling_days
                  FROM cohort
                  LEFT JOIN days received ON received.day = cohort.received_day
                  LEFT JOIN days answered ON answered.day = cohort.answered_day
            )
            SELECT jsonb_agg(figure ORDER BY month, total DESC, key) FROM (
            SELECT month, key, GROUPING(key) = 1 AS total, jsonb_build_object(
                       'branchId', home.branch_id, 'month', month, 'total', GROUPING(key) = 1, 'key', key,
                       'received', count(*),
                       'repeats', count(*) FILTER (WHERE nature = 'repeat' OR repeat_of IS NOT NULL),
                       'surveyed', count(satisfaction),
                       'satisfiedOrBasically', count(*) FILTER (WHERE satisfaction >= 6),
                       'handled', count(handling_days),
                       'handlingDaysAverage', avg(handling_days)::float8,
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
              FROM figured
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
