-- Reports group by region (`groupBy=region`): a complaint counts under its branch's region, and
-- complaints of branches without one under no key. Both forms of the report (0039) read the region
-- with the branch's time zone, from the one row per branch they already read; nothing else changes.
-- A region is its own label (reports.label's default).

CREATE OR REPLACE FUNCTION reports.complaints_in_one_statement(period_from date, period_to date, previous_from date, group_by text, only_branch uuid, only_department uuid, only_category text, only_channel text, only_level smallint)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
    RETURN (WITH bounds AS MATERIALIZED (
            SELECT b.id AS branch_id,
                   previous_from::timestamp AT TIME ZONE b.time_zone AS previous_start,
                   period_from::timestamp AT TIME ZONE b.time_zone AS period_start,
                   (period_to + 1)::timestamp AT TIME ZONE b.time_zone AS period_end,
                   nullif(b.region, '') AS region
              FROM branches b
             WHERE b.id = ANY ((SELECT scope.branch_ids())::uuid[]) AND (only_branch IS NULL OR b.id = only_branch)
        ), cohort AS MATERIALIZED (
            SELECT CASE WHEN c.received_at >= bo.period_start THEN 'current' ELSE 'previous' END AS period,
                   CASE group_by WHEN 'branch' THEN c.branch_id::text WHEN 'region' THEN bo.region WHEN 'department' THEN c.department_id::text
                                 WHEN 'category' THEN k.code WHEN 'channel' THEN c.channel WHEN 'level' THEN c.level::text
                                 WHEN 'responsible' THEN c.responsible_user_id::text END AS key,
                   k.code AS category, c.nature, c.repeat_of, c.satisfaction, c.escalated_tiers,
                   extract(epoch FROM c.initial_reply_met_at - c.received_at) AS reply_seconds,
                   extract(epoch FROM c.result_met_at - c.received_at) AS result_seconds,
                   c.acknowledge_met_at, c.initial_reply_met_at, c.preliminary_feedback_met_at, c.result_met_at,
                   c.acknowledge_deadline AS acknowledge_due,
                   c.initial_reply_deadline AS initial_reply_due,
                   c.preliminary_feedback_deadline AS preliminary_feedback_due,
                   c.result_deadline AS result_due
              FROM bounds bo
              JOIN complaints c ON c.branch_id = bo.branch_id AND c.received_at >= bo.previous_start AND c.received_at < bo.period_end
              LEFT JOIN categories k ON k.branch_id = c.branch_id AND k.id = c.category_id
             WHERE (c.branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                    OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))
               AND (only_department IS NULL OR c.department_id = only_department)
               AND (only_category IS NULL OR k.code = only_category)
               AND (only_channel IS NULL OR c.channel = only_channel)
               AND (only_level IS NULL OR c.level = only_level)
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

CREATE OR REPLACE FUNCTION reports.complaints_branch_by_branch(period_from date, period_to date, previous_from date, group_by text, only_branch uuid, only_department uuid, only_category text, only_channel text, only_level smallint)
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
               (period_to + 1)::timestamp AT TIME ZONE b.time_zone AS period_end,
               nullif(b.region, '') AS region
          FROM branches b
         WHERE b.id = ANY ((SELECT scope.branch_ids())::uuid[]) AND (only_branch IS NULL OR b.id = only_branch)
         ORDER BY b.id
    LOOP
        facts := facts || ARRAY(
            SELECT ROW(CASE WHEN c.received_at >= home.period_start THEN 'current' ELSE 'previous' END,
                       CASE group_by WHEN 'branch' THEN c.branch_id::text WHEN 'region' THEN home.region WHEN 'department' THEN c.department_id::text
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
