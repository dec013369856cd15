-- The KPI report's trend over whole branches read from the counts kept as complaints change
-- (0072) instead of from every complaint of its months (docs/scaling.md, "Reports over many
-- branches").
--
-- Besides what 0072 counts, each branch and month of receipt now keeps its results by the local
-- day of receipt and the days from it to the local day of the result (`detail` 3, measure
-- `handled:YYYY-MM-DD`, bucket the days). Handling time in working days follows from each such
-- pair under the branch's calendar as it stands when the report is read, so a holiday added later
-- changes a counted report as it changes the full computation (`reports.kpi_figures`, 0069).
-- A month's results fall on at most its days times the days results take, however many
-- complaints it holds.
--
-- The full computation now takes a month's complaints by their local time of receipt, as the
-- counts do: bounded by instants alone, a month beginning at a local midnight that comes twice
-- (a clock set back at 01:00) left out the complaints of its first midnight hour.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- The counts' lock first, as a fold takes it before the table: a fold running meanwhile finishes
-- before this migration changes the table, and none starts until it is over.
SELECT pg_advisory_xact_lock(hashtext('reports.report_counts'));

ALTER TABLE report_counts DROP CONSTRAINT report_counts_detail_check;
ALTER TABLE report_counts ADD CONSTRAINT report_counts_detail_check CHECK (detail BETWEEN 0 AND 3);

-- What a complaint adds at level 3: its result, by local day of receipt and days to the result,
-- in `time_zone` (its branch's). Like `reports.counted`, it reads no table.
CREATE FUNCTION reports.counted_days(received_at timestamptz, result_met_at timestamptz, time_zone text, only_detail smallint)
    RETURNS TABLE (detail smallint, measure text, bucket bigint, complaints integer)
    LANGUAGE sql STABLE
    AS $$
    SELECT 3::smallint, 'handled:' || to_char(received_at AT TIME ZONE time_zone, 'YYYY-MM-DD'),
           ((result_met_at AT TIME ZONE time_zone)::date - (received_at AT TIME ZONE time_zone)::date)::bigint, 1
     WHERE result_met_at IS NOT NULL AND (only_detail IS NULL OR only_detail = 3)
$$;

-- The log's pending changes, the fold and the recount count level 3 too.
CREATE OR REPLACE FUNCTION reports.pending_counts(branches uuid[], level smallint)
    RETURNS TABLE (branch_id uuid, month date, measure text, bucket bigint, complaints bigint)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    RETURN QUERY
    SELECT c.branch_id, date_trunc('month', c.received_at AT TIME ZONE b.time_zone)::date, e.measure, e.bucket,
           (c.sign * e.complaints)::bigint
      FROM public.report_count_changes c
      JOIN public.branches b ON b.id = c.branch_id
     CROSS JOIN LATERAL (SELECT * FROM reports.counted(c.received_at, c.category_id, c.nature, c.repeat_of, c.satisfaction, c.escalated_tiers,
                                                       c.acknowledge_deadline, c.initial_reply_deadline, c.preliminary_feedback_deadline,
                                                       c.result_deadline, c.acknowledge_met_at, c.initial_reply_met_at,
                                                       c.preliminary_feedback_met_at, c.result_met_at, level)
                         UNION ALL
                         SELECT * FROM reports.counted_days(c.received_at, c.result_met_at, b.time_zone, level)) e
     WHERE c.branch_id = ANY (branches);
END
$$;

CREATE OR REPLACE FUNCTION reports.fold_counts() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    home uuid;
    recounted uuid[];
    folded integer := 0;
    taken integer;
    summed record;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('reports.report_counts')) THEN
        RETURN 0;
    END IF;
    WITH marked AS (DELETE FROM public.report_count_recounts RETURNING branch_id)
    SELECT coalesce(array_agg(branch_id), '{}') INTO recounted FROM marked;
    FOREACH home IN ARRAY recounted LOOP
        PERFORM reports.recount(home);
    END LOOP;
    FOR home IN SELECT DISTINCT branch_id FROM public.report_count_changes LOOP
        WITH taken AS (
            DELETE FROM public.report_count_changes WHERE branch_id = home RETURNING *
        ), sums AS (
            SELECT date_trunc('month', t.received_at AT TIME ZONE b.time_zone)::date AS month, e.detail, e.measure, e.bucket,
                   sum(t.sign * e.complaints) AS complaints
              FROM taken t
              JOIN public.branches b ON b.id = t.branch_id
             CROSS JOIN LATERAL (SELECT * FROM reports.counted(t.received_at, t.category_id, t.nature, t.repeat_of, t.satisfaction, t.escalated_tiers,
                                                               t.acknowledge_deadline, t.initial_reply_deadline, t.preliminary_feedback_deadline,
                                                               t.result_deadline, t.acknowledge_met_at, t.initial_reply_met_at,
                                                               t.preliminary_feedback_met_at, t.result_met_at, NULL)
                                 UNION ALL
                                 SELECT * FROM reports.counted_days(t.received_at, t.result_met_at, b.time_zone, NULL)) e
             GROUP BY 1, 2, 3, 4
        )
        SELECT array_agg(month) AS months, array_agg(detail) AS details, array_agg(measure) AS measures, array_agg(bucket) AS buckets,
               array_agg(complaints::bigint) AS amounts, (SELECT count(*) FROM taken)::integer AS changes
          INTO summed FROM sums;
        PERFORM reports.add_counts(home, summed.months, summed.details, summed.measures, summed.buckets, summed.amounts);
        folded := folded + summed.changes;
    END LOOP;
    RETURN folded;
END
$$;

CREATE OR REPLACE FUNCTION reports.recount(only_branch uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    home uuid;
    summed record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('reports.report_counts'));
    FOR home IN SELECT b.id FROM public.branches b WHERE only_branch IS NULL OR b.id = only_branch ORDER BY b.id LOOP
        DELETE FROM public.report_counts WHERE branch_id = home;
        -- The log's rows and the complaints are read in one statement (one snapshot): what the log
        -- holds beyond that snapshot is folded later.
        WITH dropped AS (
            DELETE FROM public.report_count_changes WHERE branch_id = home
        ), sums AS (
            SELECT date_trunc('month', c.received_at AT TIME ZONE b.time_zone)::date AS month, e.detail, e.measure, e.bucket,
                   sum(e.complaints)::bigint AS complaints
              FROM public.complaints c
              JOIN public.branches b ON b.id = c.branch_id
             CROSS JOIN LATERAL (SELECT * FROM reports.counted(c.received_at, c.category_id, c.nature, c.repeat_of, c.satisfaction, c.escalated_tiers,
                                                               c.acknowledge_deadline, c.initial_reply_deadline, c.preliminary_feedback_deadline,
                                                               c.result_deadline, c.acknowledge_met_at, c.initial_reply_met_at,
                                                               c.preliminary_feedback_met_at, c.result_met_at, NULL)
                                 UNION ALL
                                 SELECT * FROM reports.counted_days(c.received_at, c.result_met_at, b.time_zone, NULL)) e
             WHERE c.branch_id = home
             GROUP BY 1, 2, 3, 4
        )
        SELECT array_agg(month) AS months, array_agg(detail) AS details, array_agg(measure) AS measures, array_agg(bucket) AS buckets,
               array_agg(complaints) AS amounts
          INTO summed FROM sums;
        PERFORM reports.add_counts(home, summed.months, summed.details, summed.measures, summed.buckets, summed.amounts);
    END LOOP;
END
$$;

DO $$
DECLARE
    definition text := pg_get_functiondef('reports.kpi_figures(date, date, text, uuid, uuid)'::regprocedure);
    bounded text := 'WHERE c.branch_id = home.branch_id AND c.received_at >= home.period_start AND c.received_at < home.period_end';
    changed text;
BEGIN
    changed := replace(definition, bounded, concat_ws(E'\n                   ',
        'WHERE c.branch_id = home.branch_id',
        'AND c.received_at >= home.period_start - interval ''1 day'' AND c.received_at < home.period_end + interval ''1 day''',
        'AND (c.received_at AT TIME ZONE home.time_zone) >= first_month',
        'AND (c.received_at AT TIME ZONE home.time_zone) < last_month + interval ''1 month'''));
    IF changed = definition THEN
        RAISE EXCEPTION 'reports.kpi_figures does not bound its months as 0069 left it';
    END IF;
    EXECUTE changed;
END
$$;

REVOKE ALL ON FUNCTION reports.counted_days(timestamptz, timestamptz, text, smallint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reports.counted_days(timestamptz, timestamptz, text, smallint) TO redress_service;

-- Each day from `first_day` to `last_day`, numbered by the working days up to and including it
-- under a branch's calendar (its weekly hours, holidays and make-up days; all null for a branch
-- without a calendar, when no day works). Handling time in working days is the difference of two
-- days' numbers; both KPI computations number days here. It reads no table.
CREATE FUNCTION reports.working_day_numbers(first_day date, last_day date, hours jsonb, holidays date[], make_up_days date[])
    RETURNS TABLE (day date, working_days bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT day, count(*) FILTER (WHERE working) OVER (ORDER BY day)
      FROM (SELECT d::date AS day,
                   coalesce(d::date = ANY (make_up_days), false)
                   OR (NOT coalesce(d::date = ANY (holidays), false)
                       AND jsonb_array_length(coalesce(hours -> (extract(dow FROM d)::integer + 1)::text, '[]'::jsonb)) > 0)
                   AS working
              FROM generate_series(first_day::timestamp, last_day::timestamp, interval '1 day') AS d) working
$$;
REVOKE ALL ON FUNCTION reports.working_day_numbers(date, date, jsonb, date[], date[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reports.working_day_numbers(date, date, jsonb, date[], date[]) TO redress_service;

-- The full computation numbers its days there too.
DO $$
DECLARE
    definition text := pg_get_functiondef('reports.kpi_figures(date, date, text, uuid, uuid)'::regprocedure);
    numbered text := $numbered$
                SELECT day, count(*) FILTER (WHERE working) OVER (ORDER BY day) AS working_days
                  FROM (SELECT d::date AS day,
                               coalesce(d::date = ANY (calendar.make_up_days), false)
                               OR (NOT coalesce(d::date = ANY (calendar.holidays), false)
                                   AND jsonb_array_length(coalesce(calendar.hours -> (extract(dow FROM d)::integer + 1)::text, '[]'::jsonb)) > 0)
                               AS working
                          FROM generate_series(first_month::timestamp, (SELECT coalesce(max(answered_day), first_month) FROM cohort)::timestamp,
                                               interval '1 day') AS d) working
$numbered$;
    changed text;
BEGIN
    changed := replace(definition, numbered, $call$
                SELECT n.day, n.working_days
                  FROM reports.working_day_numbers(first_month, (SELECT coalesce(max(answered_day), first_month) FROM cohort),
                                                   calendar.hours, calendar.holidays, calendar.make_up_days) n
$call$);
    IF changed = definition THEN
        RAISE EXCEPTION 'reports.kpi_figures does not number its days as 0069 left it';
    END IF;
    EXECUTE changed;
END
$$;

-- The KPI figures of the whole of each branch of the caller (or `only_branch`), grouped by
-- nothing, as `reports.kpi_figures(first_month, last_month, 'none', …)` gives them: from the
-- counts for a branch whose every complaint the caller sees and whose counts are not waiting to
-- be made again, else from its complaints by `reports.kpi_figures` itself. Counts are exact:
-- milestones due are those met with a deadline and those unmet whose deadline has passed (the
-- unmet still ahead read from `complaints_unmet_deadline_ahead`, its expression written out as
-- the index has it); handling days' average is the same numeric division as `avg`, and its 90th
-- percentile interpolated as `percentile_cont` does (`lower + fraction * (upper - lower)` in
-- float8: to the last bit where PostgreSQL's C does not fuse a multiply and an add, as on
-- x86-64), over the histogram of working days the pairs give. Each branch is read in statements
-- of its own, like `reports.kpi_figures`; the service reads counts only without Citus.
CREATE FUNCTION reports.kpi_figures_counted(first_month date, last_month date, only_branch uuid)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'public'
    AS $$
DECLARE
    home record;
    calendar record;
    figures jsonb := '[]';
BEGIN
    IF first_month <> date_trunc('month', first_month) OR last_month <> date_trunc('month', last_month) THEN
        RAISE EXCEPTION 'KPI trends run from the first of a month to the first of a month, not % to %', first_month, last_month
            USING ERRCODE = '22023';
    END IF;
    FOR home IN
        SELECT b.id AS branch_id, b.time_zone,
               first_month::timestamp AT TIME ZONE b.time_zone - interval '1 day' AS around_start,
               (last_month + interval '1 month')::timestamp AT TIME ZONE b.time_zone + interval '1 day' AS around_end,
               b.id = ANY ((SELECT scope.case_branch_ids())::uuid[])
               AND NOT EXISTS (SELECT FROM report_count_recounts w WHERE w.branch_id = b.id) AS counted
          FROM branches b
         WHERE b.id = ANY ((SELECT scope.branch_ids())::uuid[]) AND (only_branch IS NULL OR b.id = only_branch)
         ORDER BY b.id
    LOOP
        -- Every field NULL for a branch without a calendar: then no day works.
        SELECT cal.hours, cal.holidays, cal.make_up_days INTO calendar FROM branch_calendars cal WHERE cal.branch_id = home.branch_id;
        IF NOT home.counted THEN
            figures := figures || reports.kpi_figures(first_month, last_month, 'none', home.branch_id, NULL);
            CONTINUE;
        END IF;
        figures := figures || coalesce((
            WITH counted AS MATERIALIZED (
                SELECT r.month, r.detail, r.measure, r.bucket, r.complaints
                  FROM report_counts r
                 WHERE r.branch_id = home.branch_id AND r.detail IN (0, 3) AND r.month BETWEEN first_month AND last_month
                UNION ALL
                SELECT p.month, l.level, p.measure, p.bucket, p.complaints
                  FROM unnest('{0,3}'::smallint[]) AS l (level)
                 CROSS JOIN LATERAL reports.pending_counts(ARRAY[home.branch_id], l.level) p
                 WHERE p.month BETWEEN first_month AND last_month
            ), totals AS (
                SELECT month,
                       sum(complaints) FILTER (WHERE measure = 'received') AS received,
                       sum(complaints) FILTER (WHERE measure = 'repeats') AS repeats,
                       sum(complaints) FILTER (WHERE measure = 'surveyed') AS surveyed,
                       sum(complaints) FILTER (WHERE measure IN ('satisfied', 'basicallySatisfied')) AS satisfied_or_basically,
                       jsonb_object_agg(measure, complaints) FILTER (WHERE measure LIKE '%.met' OR measure LIKE '%.onTime'
                                                                       OR measure LIKE '%.unmet') AS milestones
                  FROM (SELECT month, measure, sum(complaints) AS complaints FROM counted WHERE detail = 0 GROUP BY 1, 2) summed
                 GROUP BY month
                HAVING sum(complaints) FILTER (WHERE measure = 'received') > 0
            ), ahead AS (
                -- The unmet deadlines still ahead: counted among the unmet, but not due yet.
                SELECT date_trunc('month', c.received_at AT TIME ZONE home.time_zone)::date AS month,
                       jsonb_build_object(
                           'acknowledge', count(*) FILTER (WHERE c.acknowledge_met_at IS NULL AND c.acknowledge_deadline >= now()),
                           'initial_reply', count(*) FILTER (WHERE c.initial_reply_met_at IS NULL AND c.initial_reply_deadline >= now()),
                           'preliminary_feedback', count(*) FILTER (WHERE c.preliminary_feedback_met_at IS NULL
                                                                      AND c.preliminary_feedback_deadline >= now()),
                           'result', count(*) FILTER (WHERE c.result_met_at IS NULL AND c.result_deadline >= now())) AS unmet
                  FROM complaints c
                 WHERE c.branch_id = home.branch_id AND c.received_at >= home.around_start AND c.received_at < home.around_end
                   AND greatest(CASE WHEN c.acknowledge_met_at IS NULL THEN c.acknowledge_deadline END,
                                CASE WHEN c.initial_reply_met_at IS NULL THEN c.initial_reply_deadline END,
                                CASE WHEN c.preliminary_feedback_met_at IS NULL THEN c.preliminary_feedback_deadline END,
                                CASE WHEN c.result_met_at IS NULL THEN c.result_deadline END) >= now()
                 GROUP BY 1
            ), answered AS MATERIALIZED (
                SELECT month, received_day, received_day + days AS answered_day, sum(complaints) AS complaints
                  FROM (SELECT month, to_date(substr(measure, length('handled:') + 1), 'YYYY-MM-DD') AS received_day,
                               bucket::integer AS days, complaints
                          FROM counted WHERE detail = 3) pairs
                 GROUP BY 1, 2, 3
                HAVING sum(complaints) <> 0
            ), days AS MATERIALIZED (
                -- Each day from the first month to the last result, numbered by the working days up to it.
                SELECT n.day, n.working_days
                  FROM reports.working_day_numbers(first_month, (SELECT coalesce(max(answered_day), first_month) FROM answered),
                                                   calendar.hours, calendar.holidays, calendar.make_up_days) n
            ), histogram AS (
                -- A result before the first month has no handling time there, as in the full computation.
                SELECT a.month, answered.working_days - received.working_days AS handling_days, sum(a.complaints) AS complaints
                  FROM answered a
                  JOIN days received ON received.day = a.received_day
                  JOIN days answered ON answered.day = a.answered_day
                 GROUP BY 1, 2
            ), ranked AS (
                SELECT month, handling_days,
                       sum(complaints) OVER (PARTITION BY month ORDER BY handling_days) AS through,
                       sum(complaints) OVER (PARTITION BY month) AS handled,
                       sum(complaints * handling_days) OVER (PARTITION BY month) AS total_days,
                       0.9::float8 * (sum(complaints) OVER (PARTITION BY month) - 1)::float8 AS position
                  FROM histogram
            ), handling AS (
                SELECT month, max(handled) AS handled, (max(total_days) / max(handled))::float8 AS average,
                       min(handling_days) FILTER (WHERE through > floor(position))::float8 AS lower,
                       min(handling_days) FILTER (WHERE through > ceil(position))::float8 AS upper,
                       max(position) - floor(max(position)) AS fraction
                  FROM ranked
                 GROUP BY month
            )
            SELECT jsonb_agg(jsonb_build_object(
                       'branchId', home.branch_id, 'month', to_char(t.month, 'YYYY-MM'), 'total', true, 'key', NULL, 'label', NULL,
                       'received', t.received, 'repeats', coalesce(t.repeats, 0), 'surveyed', coalesce(t.surveyed, 0),
                       'satisfiedOrBasically', coalesce(t.satisfied_or_basically, 0),
                       'handled', coalesce(h.handled, 0),
                       'handlingDaysAverage', h.average,
                       'handlingDaysP90', h.lower + (h.fraction * (h.upper - h.lower)),
                       'milestones', (SELECT jsonb_object_agg(m.milestone, jsonb_build_object(
                                                 'due', coalesce((t.milestones ->> (m.milestone || '.met'))::bigint, 0)
                                                        + coalesce((t.milestones ->> (m.milestone || '.unmet'))::bigint, 0)
                                                        - coalesce((a.unmet ->> m.milestone)::bigint, 0),
                                                 'onTime', coalesce((t.milestones ->> (m.milestone || '.onTime'))::bigint, 0)))
                                        FROM unnest('{acknowledge,initial_reply,preliminary_feedback,result}'::text[]) AS m (milestone)))
                             ORDER BY t.month)
              FROM totals t
              LEFT JOIN handling h ON h.month = t.month
              LEFT JOIN ahead a ON a.month = t.month
        ), '[]'::jsonb);
    END LOOP;
    RETURN figures;
END
$$;
REVOKE ALL ON FUNCTION reports.kpi_figures_counted(date, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reports.kpi_figures_counted(date, date, uuid) TO redress_service;

SELECT reports.recount(NULL);
