-- On Citus the complaints report reads each branch in a statement of its own, then computes its
-- figures over the rows it read: each read is a query on one shard, and the grouping (grouping
-- sets, percentiles), which Citus cannot run across shards, runs on the coordinator over rows
-- already there (docs/scaling.md). The rows are held in memory on the way, so on plain PostgreSQL
-- the report stays the single statement of 0034, which spills a large period to disk; both give
-- the same figures in the same order.
ALTER FUNCTION reports.complaints(date, date, date, text, uuid, uuid, text, text, smallint) RENAME TO complaints_in_one_statement;

CREATE TYPE reports.cohort_row AS (
    period text, key text, category text, nature text, repeat_of uuid, satisfaction smallint, escalated_tiers smallint[],
    reply_seconds numeric, result_seconds numeric,
    acknowledge_met_at timestamptz, initial_reply_met_at timestamptz, preliminary_feedback_met_at timestamptz, result_met_at timestamptz,
    acknowledge_due timestamptz, initial_reply_due timestamptz, preliminary_feedback_due timestamptz, result_due timestamptz
);

CREATE FUNCTION reports.complaints_branch_by_branch(period_from date, period_to date, previous_from date, group_by text, only_branch uuid, only_department uuid, only_category text, only_channel text, only_level smallint)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
    home record;
    facts reports.cohort_row[] := '{}';
BEGIN
    -- One statement per branch, each reading that branch alone.
    FOR home IN
        SELECT b.id AS branch_id,
               previous_from::timestamp AT TIME ZONE b.time_zone AS previous_start,
               period_from::timestamp AT TIME ZONE b.time_zone AS period_start,
               (period_to + 1)::timestamp AT TIME ZONE b.time_zone AS period_end
          FROM branches b
         WHERE b.id = ANY ((SELECT scope.branch_ids())::uuid[]) AND (only_branch IS NULL OR b.id = only_branch)
         ORDER BY b.id
    LOOP
        facts := facts || ARRAY(
            SELECT ROW(CASE WHEN c.received_at >= home.period_start THEN 'current' ELSE 'previous' END,
                       CASE group_by WHEN 'branch' THEN c.branch_id::text WHEN 'department' THEN c.department_id::text
                                     WHEN 'category' THEN k.code WHEN 'channel' THEN c.channel WHEN 'level' THEN c.level::text
                                     WHEN 'responsible' THEN c.responsible_user_id::text END,
                       k.code, c.nature, c.repeat_of, c.satisfaction, c.escalated_tiers,
                       extract(epoch FROM c.initial_reply_met_at - c.received_at),
                       extract(epoch FROM c.result_met_at - c.received_at),
                       c.acknowledge_met_at, c.initial_reply_met_at, c.preliminary_feedback_met_at, c.result_met_at,
                       c.acknowledge_deadline,
                       c.initial_reply_deadline,
                       c.preliminary_feedback_deadline,
                       c.result_deadline)::reports.cohort_row
              FROM complaints c
              LEFT JOIN categories k ON k.branch_id = c.branch_id AND k.id = c.category_id
             WHERE c.branch_id = home.branch_id AND c.received_at >= home.previous_start AND c.received_at < home.period_end
               AND (c.branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                    OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))
               AND (only_department IS NULL OR c.department_id = only_department)
               AND (only_category IS NULL OR k.code = only_category)
               AND (only_channel IS NULL OR c.channel = only_channel)
               AND (only_level IS NULL OR c.level = only_level));
    END LOOP;
    -- The figures, over the rows read: on Citus this statement reads no distributed table.
    RETURN (WITH cohort AS MATERIALIZED (
            SELECT * FROM unnest(facts)
        ), grouped AS (
            SELECT period, key, GROUPING(key) = 1 AS total,
                   jsonb_build_object(
                       'received', count(*),
                       'resolved', count(result_met_at),
                       'invalid', count(*) FILTER (WHERE nature = 'invalid'),
                       'repeats', count(*) FILTER (WHERE nature = 'repeat' OR repeat_of IS NOT NULL),
                       'escalated', count(*) FILTER (WHERE cardinality(escalated_tiers) > 0),
                       'surveyed', count(satisfaction),
                       'satisfied', count(*) FILTER (WHERE satisfaction >= 8),
                       'basicallySatisfied', count(*) FILTER (WHERE satisfaction BETWEEN 6 AND 7),
                       'dissatisfied', count(*) FILTER (WHERE satisfaction <= 5),
                       'satisfactionAverage', round(avg(satisfaction), 4),
                       'firstReplyMedianSeconds', percentile_cont(0.5) WITHIN GROUP (ORDER BY reply_seconds),
                       'firstReplyP90Seconds', percentile_cont(0.9) WITHIN GROUP (ORDER BY reply_seconds),
                       'resolutionMedianSeconds', percentile_cont(0.5) WITHIN GROUP (ORDER BY result_seconds),
                       'resolutionP90Seconds', percentile_cont(0.9) WITHIN GROUP (ORDER BY result_seconds),
                       'milestones', jsonb_build_object(
                           'acknowledge', jsonb_build_object(
                               'due', count(*) FILTER (WHERE acknowledge_met_at IS NOT NULL AND acknowledge_due IS NOT NULL
                                                          OR acknowledge_due < now()),
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
                               'onTime', count(*) FILTER (WHERE result_met_at <= result_due)))
                   ) AS figures
              FROM cohort
             GROUP BY GROUPING SETS ((period), (period, key))
        ), tiers AS (
            SELECT period, key, total, jsonb_object_agg(tier::text, complaints ORDER BY tier) AS by_tier
              FROM (SELECT period, key, GROUPING(key) = 1 AS total, tier, count(*) AS complaints
                      FROM cohort, unnest(escalated_tiers) AS tier
                     GROUP BY GROUPING SETS ((period, tier), (period, key, tier))) counted
             GROUP BY period, key, total
        ), top_categories AS (
            SELECT category, count(*) FILTER (WHERE period = 'current') AS received,
                   count(*) FILTER (WHERE period = 'previous') AS previous
              FROM cohort
             WHERE category IS NOT NULL
             GROUP BY category
            HAVING count(*) FILTER (WHERE period = 'current') > 0
             ORDER BY received DESC, category
             LIMIT 5
        )
        SELECT jsonb_build_object(
            'rows', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                           'period', g.period, 'total', g.total, 'key', g.key,
                           'label', CASE WHEN NOT g.total THEN reports.label(group_by, g.key) END,
                           'figures', g.figures || jsonb_build_object('escalationsByTier', coalesce(t.by_tier, '{}'::jsonb)))
                       ORDER BY g.total DESC, g.key, g.period)
                  FROM grouped g
                  LEFT JOIN tiers t ON t.period = g.period AND t.total = g.total AND t.key IS NOT DISTINCT FROM g.key), '[]'::jsonb),
            'topCategories', coalesce((
                SELECT jsonb_agg(jsonb_build_object('code', tc.category, 'name', reports.label('category', tc.category),
                                                    'received', tc.received, 'previous', tc.previous)
                                 ORDER BY tc.received DESC, tc.category)
                  FROM top_categories tc), '[]'::jsonb)));
END
$function$;

-- The report: branch by branch where Citus is present, in one statement otherwise.
CREATE FUNCTION reports.complaints(period_from date, period_to date, previous_from date, group_by text, only_branch uuid, only_department uuid, only_category text, only_channel text, only_level smallint)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN reports.complaints_in_one_statement(period_from, period_to, previous_from, group_by, only_branch, only_department,
                                                   only_category, only_channel, only_level);
    END IF;
    RETURN reports.complaints_branch_by_branch(period_from, period_to, previous_from, group_by, only_branch, only_department,
                                               only_category, only_channel, only_level);
END
$function$;
REVOKE ALL ON FUNCTION reports.complaints(date, date, date, text, uuid, uuid, text, text, smallint), reports.complaints_branch_by_branch(date, date, date, text, uuid, uuid, text, text, smallint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reports.complaints(date, date, date, text, uuid, uuid, text, text, smallint), reports.complaints_branch_by_branch(date, date, date, text, uuid, uuid, text, text, smallint) TO redress_service;
