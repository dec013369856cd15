-- Reports over whole branches read the messages to complainants from counts kept as messages
-- change, as they read the complaints (0072), instead of from every message of the period.
--
-- An executive's monthly report of 20 branches counted some 144,000 messages (an acknowledgement
-- per complaint and a result message per closed one) at 1,000,000 complaints: 105–119 ms of the
-- report even from the covering index of 0080 (`scripts/bench scale`), and a quarter's or a
-- year's report three or twelve times as much. `message_counts` holds, per branch, month of
-- writing (in the branch's time zone), channel and state, how many messages there are; a report
-- of whole months over whole branches (the one that reads `report_counts`) reads a few rows per
-- branch instead.
--
-- As for complaints, messages' triggers append what a change adds and removes to
-- `message_count_changes` (nothing there is ever updated, so writers never wait for each other),
-- the scheduler's fold (`reports.fold_counts`) folds it into the counts, and a report reads both,
-- so it is exact whether or not the log was folded. A branch's recount (`reports.recount`, also
-- run when its time zone changes) counts its messages again.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- The counts' lock first, as a fold takes it before the tables: a fold running meanwhile finishes
-- before this migration changes its functions, and none starts until it is over.
SELECT pg_advisory_xact_lock(hashtext('reports.report_counts'));

CREATE TABLE message_counts (
    branch_id uuid NOT NULL,
    month     date NOT NULL CHECK (extract(day FROM month) = 1),
    channel   text COLLATE "C" NOT NULL,
    state     text COLLATE "C" NOT NULL,
    messages  bigint NOT NULL,
    PRIMARY KEY (branch_id, month, channel, state)
);
SELECT public.distribute_by_branch('public.message_counts');

CREATE TABLE message_count_changes (
    branch_id  uuid NOT NULL,
    sign       smallint NOT NULL CHECK (sign IN (-1, 1)),
    created_at timestamptz NOT NULL,
    channel    text NOT NULL,
    state      text NOT NULL
);
SELECT public.distribute_by_branch('public.message_count_changes');
-- Keys after distribution, one a statement (0025).
ALTER TABLE message_counts ADD CONSTRAINT message_counts_branch FOREIGN KEY (branch_id) REFERENCES branches (id);
ALTER TABLE message_count_changes ADD CONSTRAINT message_count_changes_branch FOREIGN KEY (branch_id) REFERENCES branches (id);
CREATE INDEX message_count_changes_branch ON message_count_changes (branch_id);

-- Read by those who see every complaint of the branch, as `report_counts` is (a report reads the
-- counts only for them; others count the messages of the cases they see); written only by the
-- functions below.
ALTER TABLE message_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_counts FORCE ROW LEVEL SECURITY;
ALTER TABLE message_count_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_count_changes FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON message_counts TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY platform ON message_count_changes TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY visible ON message_counts FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY visible ON message_count_changes FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[]))$$);
GRANT SELECT ON message_counts, message_count_changes TO redress_service;

-- What a message's insert, update or deletion adds and takes away.
CREATE FUNCTION reports.record_message_count_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO public.message_count_changes VALUES (OLD.branch_id, -1, OLD.created_at, OLD.channel, OLD.state);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO public.message_count_changes VALUES (NEW.branch_id, 1, NEW.created_at, NEW.channel, NEW.state);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION reports.record_message_count_change() FROM PUBLIC;

CREATE TRIGGER message_counts_taken AFTER INSERT OR DELETE ON complainant_messages
    FOR EACH ROW EXECUTE FUNCTION reports.record_message_count_change();
-- Most updates (an attempt that failed and will be retried, the case following a new department)
-- change nothing counted.
CREATE TRIGGER message_counts_changed AFTER UPDATE ON complainant_messages
    FOR EACH ROW
    WHEN ((OLD.branch_id, OLD.created_at, OLD.channel, OLD.state) IS DISTINCT FROM (NEW.branch_id, NEW.created_at, NEW.channel, NEW.state))
    EXECUTE FUNCTION reports.record_message_count_change();

-- Emptying the messages empties their counts, under the counts' lock: a fold that has not read
-- the messages yet does not wait for the TRUNCATE, and its counts not yet committed would outlive
-- the emptying. 0072's emptying of the complaints' counts now takes the lock too.
CREATE FUNCTION reports.forget_message_counts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('reports.report_counts'));
    DELETE FROM public.message_counts;
    DELETE FROM public.message_count_changes;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION reports.forget_message_counts() FROM PUBLIC;
CREATE OR REPLACE FUNCTION reports.forget_counts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('reports.report_counts'));
    DELETE FROM public.report_counts;
    DELETE FROM public.report_count_changes;
    RETURN NULL;
END
$$;
CREATE TRIGGER message_counts_truncated AFTER TRUNCATE ON complainant_messages
    FOR EACH STATEMENT EXECUTE FUNCTION reports.forget_message_counts();

-- Folds the logged changes of messages into their counts, branch by branch (each a statement on
-- one branch's rows); returns how many changes it folded. Called by `reports.fold_counts`, which
-- holds the counts' lock.
CREATE FUNCTION reports.fold_message_counts() RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    home uuid;
    folded integer := 0;
    changes integer;
BEGIN
    FOR home IN SELECT DISTINCT branch_id FROM public.message_count_changes LOOP
        WITH taken AS (
            DELETE FROM public.message_count_changes WHERE branch_id = home RETURNING *
        ), sums AS (
            SELECT date_trunc('month', t.created_at AT TIME ZONE b.time_zone)::date AS month, t.channel, t.state, sum(t.sign)::bigint AS messages
              FROM taken t
              JOIN public.branches b ON b.id = t.branch_id
             GROUP BY 1, 2, 3
        ), added AS (
            INSERT INTO public.message_counts AS r (branch_id, month, channel, state, messages)
            SELECT home, s.month, s.channel, s.state, s.messages FROM sums s WHERE s.messages <> 0 ORDER BY 2, 3, 4
                ON CONFLICT (branch_id, month, channel, state) DO UPDATE SET messages = r.messages + excluded.messages
        )
        SELECT count(*)::integer INTO changes FROM taken;
        -- A separate statement: one statement's parts do not see each other's changes.
        DELETE FROM public.message_counts WHERE branch_id = home AND messages = 0;
        folded := folded + changes;
    END LOOP;
    RETURN folded;
END
$$;

-- Counts a branch's messages again from scratch. The log's rows and the messages are read in one
-- statement (one snapshot): what the log holds beyond that snapshot is folded later. Called by
-- `reports.recount`, which holds the counts' lock.
CREATE FUNCTION reports.recount_messages(home uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    DELETE FROM public.message_counts WHERE branch_id = home;
    WITH dropped AS (
        DELETE FROM public.message_count_changes WHERE branch_id = home
    )
    INSERT INTO public.message_counts (branch_id, month, channel, state, messages)
    SELECT home, date_trunc('month', m.created_at AT TIME ZONE b.time_zone)::date, m.channel, m.state, count(*)
      FROM public.complainant_messages m
      JOIN public.branches b ON b.id = m.branch_id
     WHERE m.branch_id = home
     GROUP BY 2, 3, 4;
END
$$;
REVOKE ALL ON FUNCTION reports.fold_message_counts(), reports.recount_messages(uuid) FROM PUBLIC;

-- The fold folds the messages' log too, and a branch's recount counts its messages again: each
-- function's text changed where it holds the given text exactly once, as 0075 left it.
DO $$
DECLARE
    fold text := pg_get_functiondef('reports.fold_counts()'::regprocedure);
    recount text := pg_get_functiondef('reports.recount(uuid)'::regprocedure);
    returned text := 'RETURN folded;';
    emptied text := 'DELETE FROM public.report_counts WHERE branch_id = home;';
BEGIN
    IF array_length(string_to_array(fold, returned), 1) <> 2 OR position('fold_message_counts' IN fold) > 0 THEN
        RAISE EXCEPTION 'reports.fold_counts does not return its count once, as 0075 left it';
    END IF;
    IF array_length(string_to_array(recount, emptied), 1) <> 2 OR position('recount_messages' IN recount) > 0 THEN
        RAISE EXCEPTION 'reports.recount does not empty a branch''s counts once, as 0075 left it';
    END IF;
    EXECUTE replace(fold, returned, 'RETURN folded + reports.fold_message_counts();');
    EXECUTE replace(recount, emptied, emptied || E'\n        PERFORM reports.recount_messages(home);');
END
$$;

-- Every branch's messages counted, a statement each (on Citus a statement reading a table may not
-- call a function that reads tables).
DO $$
DECLARE
    home uuid;
BEGIN
    FOR home IN SELECT id FROM public.branches ORDER BY id LOOP
        PERFORM reports.recount_messages(home);
    END LOOP;
END
$$;
