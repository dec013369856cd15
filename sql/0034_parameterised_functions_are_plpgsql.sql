-- The SQL-language functions that take parameters and query tables become PL/pgSQL: the planner
-- inlines a SQL-language function into the statement that calls it, and Citus cannot plan
-- parameterised SQL functions over its tables ("could not create distributed plan"). Their
-- queries and results are those of 0011 and 0014; `scripts/bench escalation` and
-- `scripts/bench reports` measure what the call costs.

CREATE OR REPLACE FUNCTION scheduler.ladder_recipients(branch uuid, policy uuid, rung integer, department uuid, with_bots boolean)
 RETURNS TABLE(kind text, user_id uuid)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET jit TO off
AS $function$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT DISTINCT ON (who.user_id) wanted.kind, who.user_id
          FROM (SELECT recipient.kind
                  FROM public.sla_policies p
                 CROSS JOIN LATERAL jsonb_array_elements(p.document -> 'ladder') AS step
                 CROSS JOIN LATERAL jsonb_array_elements_text(step -> 'recipients') AS recipient (kind)
                 WHERE p.branch_id = branch AND p.id = policy AND (step ->> 'tier')::integer = rung) wanted
         CROSS JOIN LATERAL (
                SELECT u.id AS user_id FROM public.departments d JOIN public.users u ON u.branch_id = d.branch_id AND u.id = d.head_user_id
                 WHERE wanted.kind = 'department_head' AND d.branch_id = branch AND d.id = department AND u.active
                UNION ALL
                SELECT u.id FROM public.users u
                 WHERE wanted.kind = 'branch_manager' AND u.branch_id = branch AND 'branch_manager' = ANY (u.roles) AND u.active
                UNION ALL
                SELECT u.id FROM public.departments d JOIN public.users u ON u.branch_id = d.branch_id AND u.id = d.head_user_id
                 WHERE wanted.kind = 'complaint_office' AND d.branch_id = branch AND d.kind = 'complaint_office' AND u.active
                UNION ALL
                SELECT u.id FROM public.users u
                 WHERE wanted.kind = 'executives' AND 'executive' = ANY (u.roles) AND u.active
                   AND (u.branch_id = branch OR EXISTS (SELECT FROM public.hq_grants g
                        WHERE g.branch_id = u.branch_id AND g.user_id = u.id AND g.granted_branch_id = branch))
                UNION ALL
                SELECT u.id FROM public.users u
                 WHERE wanted.kind = 'bots' AND with_bots AND u.branch_id = branch AND 'bot' = ANY (u.roles) AND u.active
                   AND (u.department_ids = '{}' OR department = ANY (u.department_ids))
              ) who
         ORDER BY who.user_id, wanted.kind;
END
$function$;

CREATE OR REPLACE FUNCTION reports.label(group_by text, key text)
 RETURNS text
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public'
AS $function$
BEGIN
    RETURN (SELECT CASE
            WHEN key IS NULL THEN NULL
            WHEN group_by = 'branch' THEN (SELECT b.name FROM branches b WHERE b.id = key::uuid)
            WHEN group_by = 'department' THEN (SELECT d.name FROM departments d WHERE d.id = key::uuid LIMIT 1)
            WHEN group_by = 'category' THEN (SELECT min(k.name) FROM categories k WHERE k.code = key)
            WHEN group_by = 'responsible' THEN (SELECT u.name FROM users u WHERE u.id = key::uuid LIMIT 1)
            ELSE key
        END);
END
$function$;

CREATE OR REPLACE FUNCTION reports.complaints(period_from date, period_to date, previous_from date, group_by text, only_branch uuid, only_department uuid, only_category text, only_channel text, only_level smallint)
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
                   (period_to + 1)::timestamp AT TIME ZONE b.time_zone AS period_end
              FROM branches b
             WHERE b.id = ANY ((SELECT scope.branch_ids())::uuid[]) AND (only_branch IS NULL OR b.id = only_branch)
        ), cohort AS MATERIALIZED (
            SELECT CASE WHEN c.received_at >= bo.period_start THEN 'current' ELSE 'previous' END AS period,
                   CASE group_by WHEN 'branch' THEN c.branch_id::text WHEN 'department' THEN c.department_id::text
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
