-- Reports over many branches read counts kept as complaints change, instead of every complaint of
-- the period (docs/scaling.md, "Reports over many branches").
--
-- `report_counts` holds, per branch and month of receipt (in the branch's time zone), how many
-- complaints count under each measure of a report: received, resolved, invalid, repeats,
-- escalated, each tier, each category, the satisfaction bands and their sum, each milestone met
-- with a deadline, met in time, and unmet with a deadline. The times to first reply and to result
-- are kept as histograms of whole minutes at three levels of detail (`detail` 0: buckets of 4096
-- minutes, 1: of 64 minutes, 2: minutes), so that a percentile is found by reading a few dozen
-- buckets at each level instead of every complaint, and is within half a minute of the exact one.
--
-- Complaints' triggers append what a change adds and removes to `report_count_changes` (one row
-- per complaint and sign: nothing there is ever updated, so writers never wait for each other),
-- and the scheduler folds that log into `report_counts` (`reports.fold_counts`). A report reads
-- both, so it is exact whether or not the log was folded. What depends on the time of reading (a
-- deadline passed unmet) is counted from the few complaints whose unmet deadline is still ahead
-- (`complaints_unmet_deadline_ahead`).
--
-- `reports.counted` is the one definition of what a complaint counts under; the fold, the report's
-- read of the unfolded log and the full recount (`reports.recount`, also run when a branch changes
-- its time zone) all use it.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- (Written without a search_path of its own, so that the planner inlines it into the statements
-- that call it; it reads no table. `only_detail` keeps one level of detail, null every one.)
CREATE FUNCTION reports.counted(received_at timestamptz, category_id uuid, nature text, repeat_of uuid, satisfaction smallint,
                                escalated_tiers smallint[],
                                acknowledge_deadline timestamptz, initial_reply_deadline timestamptz,
                                preliminary_feedback_deadline timestamptz, result_deadline timestamptz,
                                acknowledge_met_at timestamptz, initial_reply_met_at timestamptz,
                                preliminary_feedback_met_at timestamptz, result_met_at timestamptz, only_detail smallint)
    RETURNS TABLE (detail smallint, measure text, bucket bigint, complaints integer)
    LANGUAGE sql IMMUTABLE
    AS $$
    WITH minutes AS (
        SELECT floor(extract(epoch FROM initial_reply_met_at - received_at) / 60)::bigint AS first_reply,
               floor(extract(epoch FROM result_met_at - received_at) / 60)::bigint AS resolution
    )
    SELECT m.detail::smallint, m.measure, m.bucket, m.complaints
      FROM minutes,
           LATERAL (VALUES
               (0, 'received', 0::bigint, true, 1),
               (0, 'resolved', 0, result_met_at IS NOT NULL, 1),
               (0, 'invalid', 0, nature = 'invalid', 1),
               (0, 'repeats', 0, nature = 'repeat' OR repeat_of IS NOT NULL, 1),
               (0, 'escalated', 0, cardinality(escalated_tiers) > 0, 1),
               (0, 'surveyed', 0, satisfaction IS NOT NULL, 1),
               (0, 'satisfied', 0, satisfaction >= 8, 1),
               (0, 'basicallySatisfied', 0, satisfaction BETWEEN 6 AND 7, 1),
               (0, 'dissatisfied', 0, satisfaction <= 5, 1),
               (0, 'satisfactionSum', 0, satisfaction IS NOT NULL, satisfaction::integer),
               (0, 'category:' || category_id::text, 0, category_id IS NOT NULL, 1),
               (0, 'acknowledge.met', 0, acknowledge_met_at IS NOT NULL AND acknowledge_deadline IS NOT NULL, 1),
               (0, 'acknowledge.onTime', 0, acknowledge_met_at <= acknowledge_deadline, 1),
               (0, 'acknowledge.unmet', 0, acknowledge_met_at IS NULL AND acknowledge_deadline IS NOT NULL, 1),
               (0, 'initial_reply.met', 0, initial_reply_met_at IS NOT NULL AND initial_reply_deadline IS NOT NULL, 1),
               (0, 'initial_reply.onTime', 0, initial_reply_met_at <= initial_reply_deadline, 1),
               (0, 'initial_reply.unmet', 0, initial_reply_met_at IS NULL AND initial_reply_deadline IS NOT NULL, 1),
               (0, 'preliminary_feedback.met', 0,
                preliminary_feedback_met_at IS NOT NULL AND preliminary_feedback_deadline IS NOT NULL, 1),
               (0, 'preliminary_feedback.onTime', 0, preliminary_feedback_met_at <= preliminary_feedback_deadline, 1),
               (0, 'preliminary_feedback.unmet', 0,
                preliminary_feedback_met_at IS NULL AND preliminary_feedback_deadline IS NOT NULL, 1),
               (0, 'result.met', 0, result_met_at IS NOT NULL AND result_deadline IS NOT NULL, 1),
               (0, 'result.onTime', 0, result_met_at <= result_deadline, 1),
               (0, 'result.unmet', 0, result_met_at IS NULL AND result_deadline IS NOT NULL, 1),
               (0, 'firstReply', minutes.first_reply >> 12, minutes.first_reply IS NOT NULL, 1),
               (1, 'firstReply', minutes.first_reply >> 6, minutes.first_reply IS NOT NULL, 1),
               (2, 'firstReply', minutes.first_reply, minutes.first_reply IS NOT NULL, 1),
               (0, 'resolution', minutes.resolution >> 12, minutes.resolution IS NOT NULL, 1),
               (1, 'resolution', minutes.resolution >> 6, minutes.resolution IS NOT NULL, 1),
               (2, 'resolution', minutes.resolution, minutes.resolution IS NOT NULL, 1)
           ) AS m (detail, measure, bucket, counts, complaints)
     WHERE m.counts AND (only_detail IS NULL OR m.detail = only_detail)
    UNION ALL
    SELECT 0::smallint, 'tier', tier::bigint, 1 FROM unnest(escalated_tiers) AS tier WHERE only_detail IS NULL OR only_detail = 0
$$;

-- A complaint's latest deadline not met yet (null when it has met every one it has): the reports
-- read the complaints whose deadlines are still ahead by this index, with the same expression
-- written out (under row-level security only leakproof conditions reach an index, and a
-- function of ours is not one).
CREATE INDEX complaints_unmet_deadline_ahead ON public.complaints (
    branch_id,
    greatest(CASE WHEN acknowledge_met_at IS NULL THEN acknowledge_deadline END,
             CASE WHEN initial_reply_met_at IS NULL THEN initial_reply_deadline END,
             CASE WHEN preliminary_feedback_met_at IS NULL THEN preliminary_feedback_deadline END,
             CASE WHEN result_met_at IS NULL THEN result_deadline END))
    WHERE greatest(CASE WHEN acknowledge_met_at IS NULL THEN acknowledge_deadline END,
                   CASE WHEN initial_reply_met_at IS NULL THEN initial_reply_deadline END,
                   CASE WHEN preliminary_feedback_met_at IS NULL THEN preliminary_feedback_deadline END,
                   CASE WHEN result_met_at IS NULL THEN result_deadline END) IS NOT NULL;

-- Statistics of that expression, so that the planner knows how few deadlines lie ahead (a partial
-- index's expression has none of its own).
CREATE STATISTICS complaints_unmet_deadline_ahead ON (
    greatest(CASE WHEN acknowledge_met_at IS NULL THEN acknowledge_deadline END,
             CASE WHEN initial_reply_met_at IS NULL THEN initial_reply_deadline END,
             CASE WHEN preliminary_feedback_met_at IS NULL THEN preliminary_feedback_deadline END,
             CASE WHEN result_met_at IS NULL THEN result_deadline END)) FROM public.complaints;

CREATE TABLE report_counts (
    branch_id  uuid NOT NULL REFERENCES branches (id),
    month      date NOT NULL CHECK (extract(day FROM month) = 1),
    detail     smallint NOT NULL CHECK (detail BETWEEN 0 AND 2),
    measure    text COLLATE "C" NOT NULL,
    bucket     bigint NOT NULL,
    complaints bigint NOT NULL,
    -- The level first: a report reads level 0 of its months without passing the finer levels.
    PRIMARY KEY (branch_id, detail, month, measure, bucket)
);
SELECT public.distribute_by_branch('public.report_counts');

CREATE TABLE report_count_changes (
    branch_id                     uuid NOT NULL REFERENCES branches (id),
    sign                          smallint NOT NULL CHECK (sign IN (-1, 1)),
    received_at                   timestamptz NOT NULL,
    category_id                   uuid,
    nature                        text NOT NULL,
    repeat_of                     uuid,
    satisfaction                  smallint,
    escalated_tiers               smallint[] NOT NULL,
    acknowledge_deadline          timestamptz,
    initial_reply_deadline        timestamptz,
    preliminary_feedback_deadline timestamptz,
    result_deadline               timestamptz,
    acknowledge_met_at            timestamptz,
    initial_reply_met_at          timestamptz,
    preliminary_feedback_met_at   timestamptz,
    result_met_at                 timestamptz
);
SELECT public.distribute_by_branch('public.report_count_changes');
CREATE INDEX report_count_changes_received ON report_count_changes (branch_id, received_at);

-- Branches whose counts are to be made again (their time zone changed): the scheduler recounts
-- them at its next fold, and until then reports of theirs read every complaint.
CREATE TABLE report_count_recounts (
    branch_id    uuid PRIMARY KEY REFERENCES branches (id),
    requested_at timestamptz NOT NULL DEFAULT now()
);
SELECT public.distribute_by_branch('public.report_count_recounts');
ALTER TABLE report_count_recounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_count_recounts FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON report_count_recounts TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY visible ON report_count_recounts FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))$$);
GRANT SELECT ON report_count_recounts TO redress_service;

-- Read by those who see every complaint of the branch (the report reads the counts only for them);
-- written only by the definer functions below.
ALTER TABLE report_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_counts FORCE ROW LEVEL SECURITY;
ALTER TABLE report_count_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_count_changes FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON report_counts TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY platform ON report_count_changes TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY visible ON report_counts FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY visible ON report_count_changes FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[]))$$);
GRANT SELECT ON report_counts, report_count_changes TO redress_service;

-- The log's changes of `branches` not folded yet, as counts at `level` of detail, by month of
-- receipt in each branch's time zone (read under the caller's row-level security).
CREATE FUNCTION reports.pending_counts(branches uuid[], level smallint)
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
     CROSS JOIN LATERAL reports.counted(c.received_at, c.category_id, c.nature, c.repeat_of, c.satisfaction, c.escalated_tiers,
                                        c.acknowledge_deadline, c.initial_reply_deadline, c.preliminary_feedback_deadline,
                                        c.result_deadline, c.acknowledge_met_at, c.initial_reply_met_at,
                                        c.preliminary_feedback_met_at, c.result_met_at, level) e
     WHERE c.branch_id = ANY (branches);
END
$$;

-- What a complaint's insert, update or deletion adds and takes away.
CREATE FUNCTION reports.record_count_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO public.report_count_changes
        VALUES (OLD.branch_id, -1, OLD.received_at, OLD.category_id, OLD.nature, OLD.repeat_of, OLD.satisfaction, OLD.escalated_tiers,
                OLD.acknowledge_deadline, OLD.initial_reply_deadline, OLD.preliminary_feedback_deadline, OLD.result_deadline,
                OLD.acknowledge_met_at, OLD.initial_reply_met_at, OLD.preliminary_feedback_met_at, OLD.result_met_at);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO public.report_count_changes
        VALUES (NEW.branch_id, 1, NEW.received_at, NEW.category_id, NEW.nature, NEW.repeat_of, NEW.satisfaction, NEW.escalated_tiers,
                NEW.acknowledge_deadline, NEW.initial_reply_deadline, NEW.preliminary_feedback_deadline, NEW.result_deadline,
                NEW.acknowledge_met_at, NEW.initial_reply_met_at, NEW.preliminary_feedback_met_at, NEW.result_met_at);
    END IF;
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION reports.record_count_change() FROM PUBLIC;

CREATE TRIGGER report_counts_taken AFTER INSERT OR DELETE ON complaints
    FOR EACH ROW EXECUTE FUNCTION reports.record_count_change();
-- Not `UPDATE OF` its columns: a BEFORE trigger (`stamp_milestones`) sets deadlines and met times
-- an UPDATE does not name, and `OF` looks only at what the UPDATE names.
CREATE TRIGGER report_counts_changed AFTER UPDATE ON complaints
    FOR EACH ROW
    WHEN ((OLD.branch_id, OLD.received_at, OLD.category_id, OLD.nature, OLD.repeat_of, OLD.satisfaction, OLD.escalated_tiers,
           OLD.acknowledge_deadline, OLD.initial_reply_deadline, OLD.preliminary_feedback_deadline, OLD.result_deadline,
           OLD.acknowledge_met_at, OLD.initial_reply_met_at, OLD.preliminary_feedback_met_at, OLD.result_met_at)
          IS DISTINCT FROM
          (NEW.branch_id, NEW.received_at, NEW.category_id, NEW.nature, NEW.repeat_of, NEW.satisfaction, NEW.escalated_tiers,
           NEW.acknowledge_deadline, NEW.initial_reply_deadline, NEW.preliminary_feedback_deadline, NEW.result_deadline,
           NEW.acknowledge_met_at, NEW.initial_reply_met_at, NEW.preliminary_feedback_met_at, NEW.result_met_at))
    EXECUTE FUNCTION reports.record_count_change();

-- Emptying the complaints empties their counts.
CREATE FUNCTION reports.forget_counts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    DELETE FROM public.report_counts;
    DELETE FROM public.report_count_changes;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION reports.forget_counts() FROM PUBLIC;
CREATE TRIGGER report_counts_truncated AFTER TRUNCATE ON complaints
    FOR EACH STATEMENT EXECUTE FUNCTION reports.forget_counts();

-- Adds `rows` (branch, month, detail, measure, bucket, complaints) to the counts of one branch, and
-- removes the counts that come to nothing. The caller holds the counts' lock.
CREATE FUNCTION reports.add_counts(home uuid, months date[], details smallint[], measures text[], buckets bigint[], amounts bigint[])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    emptied record;
BEGIN
    WITH added AS (
        INSERT INTO public.report_counts AS r (branch_id, month, detail, measure, bucket, complaints)
        SELECT home, a.month, a.detail, a.measure, a.bucket, a.complaints
          FROM unnest(months, details, measures, buckets, amounts) AS a (month, detail, measure, bucket, complaints)
         WHERE a.complaints <> 0
         ORDER BY 2, 3, 4, 5
            ON CONFLICT (branch_id, month, detail, measure, bucket) DO UPDATE SET complaints = r.complaints + excluded.complaints
        RETURNING r.month, r.detail, r.measure, r.bucket, r.complaints
    )
    SELECT array_agg(month) AS months, array_agg(detail) AS details, array_agg(measure) AS measures, array_agg(bucket) AS buckets
      INTO emptied FROM added WHERE complaints = 0;
    DELETE FROM public.report_counts r
     USING unnest(emptied.months, emptied.details, emptied.measures, emptied.buckets) AS e (month, detail, measure, bucket)
     WHERE r.branch_id = home AND r.month = e.month AND r.detail = e.detail AND r.measure = e.measure AND r.bucket = e.bucket
       AND r.complaints = 0;
END
$$;

-- Counts again the branches waiting for it, then folds the logged changes into the counts, branch
-- by branch (each a statement on one branch's rows); returns how many changes it folded. Only one fold or recount runs at a time: a second
-- fold returns 0 at once.
CREATE FUNCTION reports.fold_counts() RETURNS integer
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
             CROSS JOIN LATERAL reports.counted(t.received_at, t.category_id, t.nature, t.repeat_of, t.satisfaction, t.escalated_tiers,
                                                t.acknowledge_deadline, t.initial_reply_deadline, t.preliminary_feedback_deadline,
                                                t.result_deadline, t.acknowledge_met_at, t.initial_reply_met_at,
                                                t.preliminary_feedback_met_at, t.result_met_at, NULL) e
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

-- Counts a branch's complaints again from scratch (every branch when `only_branch` is null): after
-- loading complaints with the triggers off, or when a branch's months move with its time zone.
CREATE FUNCTION reports.recount(only_branch uuid) RETURNS void
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
             CROSS JOIN LATERAL reports.counted(c.received_at, c.category_id, c.nature, c.repeat_of, c.satisfaction, c.escalated_tiers,
                                                c.acknowledge_deadline, c.initial_reply_deadline, c.preliminary_feedback_deadline,
                                                c.result_deadline, c.acknowledge_met_at, c.initial_reply_met_at,
                                                c.preliminary_feedback_met_at, c.result_met_at, NULL) e
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
REVOKE ALL ON FUNCTION reports.counted(timestamptz, uuid, text, uuid, smallint, smallint[], timestamptz, timestamptz, timestamptz,
                                       timestamptz, timestamptz, timestamptz, timestamptz, timestamptz, smallint),
                       reports.add_counts(uuid, date[], smallint[], text[], bigint[], bigint[]),
                       reports.pending_counts(uuid[], smallint), reports.fold_counts(), reports.recount(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reports.counted(timestamptz, uuid, text, uuid, smallint, smallint[], timestamptz, timestamptz, timestamptz,
                                          timestamptz, timestamptz, timestamptz, timestamptz, timestamptz, smallint),
                          reports.pending_counts(uuid[], smallint)
    TO redress_service;
GRANT USAGE ON SCHEMA reports TO redress_scheduler;
GRANT EXECUTE ON FUNCTION reports.fold_counts() TO redress_scheduler;

-- A branch's months move with its time zone: `change_branch` (0035, the only way a time zone
-- changes) asks for its counts to be made again, which the scheduler does at its next fold.
DO $$
DECLARE
    definition text := pg_get_functiondef('public.change_branch(uuid, text, text, text)'::regprocedure);
    woken text := 'PERFORM pg_notify(''redress_deadlines'', ''sla:'' || branch::text);';
    changed text;
BEGIN
    changed := replace(definition, woken, woken || E'\n        INSERT INTO public.report_count_recounts (branch_id) VALUES (branch)'
                                                  || ' ON CONFLICT (branch_id) DO NOTHING;');
    IF changed = definition OR position('report_count_recounts' IN definition) > 0 THEN
        RAISE EXCEPTION 'change_branch does not wake the scheduler as 0035 left it';
    END IF;
    EXECUTE changed;
END
$$;

SELECT reports.recount(NULL);
