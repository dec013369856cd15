-- The enterprise's own systems follow what happens to complaints (000 §10.2(4)): a webhook of kind
-- `events` receives the branch's complaint lifecycle events - created, routed, status changed,
-- escalated, reviewed, closed - signed and delivered like pages, in batches of entries whose
-- transactions have ended, each batch with a delivery id that stays the same on every retry; within
-- a batch in the order the entries were written (their `id`, which grows as a complaint's entries
-- are written one after another).
--
-- The feed reads the timeline itself, so nothing is written twice when a complaint changes: each
-- timeline entry records the transaction that wrote it (`xid`), and a feed's position is an entry
-- `(xid, id)`. A batch takes entries after the position from transactions that have all ended
-- (below the oldest transaction still running, `pg_snapshot_xmin`), so an entry that commits late
-- is never passed over. A batch that fails every attempt is dead-lettered (its range recorded in
-- `event_feed_dead_letters`) and the feed goes on. Entries carry no personal data, nor free text;
-- an operator may grant a subscription the complainant's name and contacts (`personal_data`),
-- which the deliverer opens from their seal. Transaction ids are one cluster's: after a restore into
-- another cluster, or the move of the schema onto Citus (where each node counts its own), events
-- webhooks are registered again (docs/operations.md).
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- Added without a default, then given one, so that the table is not rewritten: entries from before
-- have none, and no feed reads them (every feed starts after this migration).
ALTER TABLE complaint_events ADD COLUMN xid xid8;
ALTER TABLE complaint_events ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX complaint_events_feed ON complaint_events (branch_id, xid, id) WHERE xid IS NOT NULL;

ALTER TABLE webhooks DROP CONSTRAINT webhooks_kind_check;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_kind_check CHECK (kind IN ('pages', 'gateway', 'events'));
-- Granted by an operator only (`redress webhook personal-data`, as the owner), for the address the
-- webhook has then: the service may not set it, and it lapses when the address changes.
ALTER TABLE webhooks ADD COLUMN personal_data_url text;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_personal_data_for_events CHECK (personal_data_url IS NULL OR kind = 'events');
ALTER TABLE webhooks ADD COLUMN personal_data boolean GENERATED ALWAYS AS (personal_data_url IS NOT NULL AND personal_data_url = url) STORED;
GRANT SELECT (personal_data, personal_data_url) ON webhooks TO redress_service;

-- Where each events webhook is in its branch's timeline, and the batch it is delivering.
CREATE TABLE event_feeds (
    branch_id       uuid NOT NULL,
    webhook_id      uuid NOT NULL,
    position_xid    xid8 NOT NULL DEFAULT pg_snapshot_xmin(pg_current_snapshot()),
    position_id     bigint NOT NULL DEFAULT 0,
    batch_id        uuid,
    batch_end_xid   xid8,
    batch_end_id    bigint,
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text CHECK (length(last_error) <= 2000),
    delivered_at    timestamptz,
    delivered       bigint NOT NULL DEFAULT 0 CHECK (delivered >= 0),
    PRIMARY KEY (branch_id, webhook_id),
    CHECK ((batch_id IS NULL) = (batch_end_xid IS NULL) AND (batch_id IS NULL) = (batch_end_id IS NULL))
);
SELECT public.distribute_by_branch('public.event_feeds');
ALTER TABLE event_feeds ADD CONSTRAINT event_feeds_webhook FOREIGN KEY (branch_id, webhook_id) REFERENCES webhooks (branch_id, id);
CREATE INDEX event_feeds_due ON event_feeds (next_attempt_at);

CREATE TABLE event_feed_dead_letters (
    branch_id  uuid NOT NULL,
    webhook_id uuid NOT NULL,
    batch_id   uuid NOT NULL,
    from_xid   xid8 NOT NULL,
    from_id    bigint NOT NULL,
    to_xid     xid8 NOT NULL,
    to_id      bigint NOT NULL,
    attempts   integer NOT NULL,
    last_error text CHECK (length(last_error) <= 2000),
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, batch_id)
);
SELECT public.distribute_by_branch('public.event_feed_dead_letters');
ALTER TABLE event_feed_dead_letters ADD CONSTRAINT event_feed_dead_letters_webhook
    FOREIGN KEY (branch_id, webhook_id) REFERENCES webhooks (branch_id, id);

ALTER TABLE event_feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_feeds FORCE ROW LEVEL SECURITY;
ALTER TABLE event_feed_dead_letters ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_feed_dead_letters FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON event_feeds TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY platform ON event_feed_dead_letters TO redress_platform USING (true) WITH CHECK (true)$$);
-- A branch's admins start a feed with its webhook, and see how it goes; only the scheduler moves it.
SELECT public.scoped_policy($$CREATE POLICY administered ON event_feeds FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY started ON event_feeds FOR INSERT TO redress_service
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY administered ON event_feed_dead_letters FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))$$);
GRANT SELECT ON event_feeds, event_feed_dead_letters TO redress_service;
GRANT INSERT (branch_id, webhook_id) ON event_feeds TO redress_service;

-- What the feed tells of a timeline entry: its type, and the entry's facts without free text or
-- personal data; NULL for entries it does not tell of (notes, evidence, pages and the like).
CREATE FUNCTION scheduler.feed_type(kind text, after jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE
        WHEN kind = 'received' THEN 'created'
        WHEN kind IN ('close', 'mark_invalid') OR (after ->> 'status') = 'closed' THEN 'closed'
        WHEN kind IN ('review_requested', 'review_decided') THEN 'reviewed'
        WHEN kind IN ('escalated', 'milestone_breached', 'review_overdue', 'statutory_result_overdue') THEN 'escalated'
        WHEN kind = 'rerouted' OR (after ? 'departmentId' AND kind IN ('grade', 'assign', 'reassign')) THEN 'routed'
        WHEN after ? 'status' THEN 'status_changed'
    END
$$;

-- Claims the due feeds of one branch that have entries to deliver, each leased for
-- `lease_seconds`: a feed delivering a batch gets the same batch again (same id, same entries); a
-- feed at rest gets up to `batch` entries after its position from ended transactions. Each comes
-- with its webhook's address and secret, whether it may carry personal data, and its entries.
CREATE FUNCTION scheduler.claim_event_feeds(branch uuid, batch integer, lease_seconds integer)
    RETURNS TABLE (branch_id uuid, batch_id uuid, attempt integer, url text, secret text, personal_data boolean, entries jsonb)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    feed record;
    settled xid8 := pg_snapshot_xmin(pg_current_snapshot());
    picked jsonb;
    last_xid xid8;
    last_id bigint;
BEGIN
    FOR feed IN
        SELECT f.webhook_id, f.position_xid, f.position_id, f.batch_id, f.batch_end_xid, f.batch_end_id, f.attempts,
               w.url, w.secret, w.personal_data
          FROM public.event_feeds f
          JOIN public.webhooks w ON w.branch_id = f.branch_id AND w.id = f.webhook_id
         WHERE f.branch_id = branch AND f.next_attempt_at <= now() AND w.active AND w.kind = 'events'
         ORDER BY f.next_attempt_at
         FOR UPDATE OF f SKIP LOCKED
    LOOP
        IF feed.batch_id IS NULL THEN
            SELECT e.xid, e.id INTO last_xid, last_id
              FROM (SELECT e.xid, e.id FROM public.complaint_events e
                     WHERE e.branch_id = branch AND (e.xid, e.id) > (feed.position_xid, feed.position_id) AND e.xid < settled
                       AND scheduler.feed_type(e.kind, e.after) IS NOT NULL
                     ORDER BY e.xid, e.id LIMIT batch) e
             ORDER BY e.xid DESC, e.id DESC LIMIT 1;
            IF last_xid IS NULL THEN
                -- Nothing new: looked at again after a poll's while, behind the feeds with work.
                UPDATE public.event_feeds f SET next_attempt_at = now() + interval '5 seconds'
                 WHERE f.branch_id = branch AND f.webhook_id = feed.webhook_id;
                CONTINUE;
            END IF;
            feed.batch_id := gen_random_uuid();
            feed.batch_end_xid := last_xid;
            feed.batch_end_id := last_id;
            feed.attempts := 0;
        END IF;
        UPDATE public.event_feeds f
           SET batch_id = feed.batch_id, batch_end_xid = feed.batch_end_xid, batch_end_id = feed.batch_end_id,
               attempts = feed.attempts + 1, next_attempt_at = now() + make_interval(secs => lease_seconds)
         WHERE f.branch_id = branch AND f.webhook_id = feed.webhook_id;
        SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                   'id', e.id, 'type', scheduler.feed_type(e.kind, e.after), 'kind', e.kind, 'at', public.rfc3339(e.at),
                   'complaintId', e.complaint_id, 'caseNumber', c.case_number,
                   'status', e.after ->> 'status', 'departmentId', e.after ->> 'departmentId', 'level', e.after ->> 'level',
                   'priority', e.after ->> 'priority', 'tier', e.after ->> 'tier', 'reviewId', e.after ->> 'reviewId',
                   'outcome', e.after ->> 'outcome',
                   'sealed', CASE WHEN feed.personal_data THEN
                       jsonb_build_object('keyId', c.complainant_key_id, 'box', encode(c.complainant_sealed, 'base64')) END))
                   ORDER BY e.id)
          INTO picked
          FROM public.complaint_events e
          JOIN public.complaints c ON c.branch_id = e.branch_id AND c.id = e.complaint_id
         WHERE e.branch_id = branch AND (e.xid, e.id) > (feed.position_xid, feed.position_id)
           AND (e.xid, e.id) <= (feed.batch_end_xid, feed.batch_end_id)
           AND scheduler.feed_type(e.kind, e.after) IS NOT NULL;
        branch_id := branch;
        batch_id := feed.batch_id;
        attempt := feed.attempts + 1;
        url := feed.url;
        secret := feed.secret;
        personal_data := feed.personal_data;
        entries := coalesce(picked, '[]'::jsonb);
        RETURN NEXT;
    END LOOP;
END
$$;

-- Records a batch's attempt: delivered moves the feed past it; a failure with `retry_at` waits
-- for it; a failure without is dead-lettered and the feed moves past it too. Returns the batch's
-- state (`delivered`, `pending`, `dead`), or `superseded` when the feed is on another batch or
-- attempt.
CREATE FUNCTION scheduler.record_event_batch(branch uuid, batch uuid, attempt_number integer, status_code integer, error text,
                                             retry_at timestamptz)
    RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    feed public.event_feeds;
    succeeded boolean := status_code BETWEEN 200 AND 299;
    failure text := left(coalesce(error, 'HTTP ' || status_code), 2000);
BEGIN
    SELECT f.* INTO feed FROM public.event_feeds f
     WHERE f.branch_id = branch AND f.batch_id = batch AND f.attempts = attempt_number
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'superseded';
    END IF;
    IF NOT succeeded AND retry_at IS NOT NULL THEN
        UPDATE public.event_feeds f SET next_attempt_at = retry_at, last_error = failure
         WHERE f.branch_id = branch AND f.webhook_id = feed.webhook_id;
        RETURN 'pending';
    END IF;
    IF NOT succeeded THEN
        INSERT INTO public.event_feed_dead_letters (branch_id, webhook_id, batch_id, from_xid, from_id, to_xid, to_id, attempts, last_error)
        VALUES (branch, feed.webhook_id, batch, feed.position_xid, feed.position_id, feed.batch_end_xid, feed.batch_end_id,
                attempt_number, failure);
    END IF;
    UPDATE public.event_feeds f
       SET position_xid = feed.batch_end_xid, position_id = feed.batch_end_id, batch_id = NULL, batch_end_xid = NULL,
           batch_end_id = NULL, attempts = 0, next_attempt_at = now(),
           last_error = CASE WHEN succeeded THEN NULL ELSE failure END,
           delivered_at = CASE WHEN succeeded THEN now() ELSE f.delivered_at END,
           delivered = f.delivered + CASE WHEN succeeded THEN 1 ELSE 0 END
     WHERE f.branch_id = branch AND f.webhook_id = feed.webhook_id;
    RETURN CASE WHEN succeeded THEN 'delivered' ELSE 'dead' END;
END
$$;

-- The branches with feeds due, the one waiting longest first.
CREATE FUNCTION scheduler.due_feed_branches(batch integer) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT q.branch_id FROM (
        SELECT f.branch_id, f.next_attempt_at AS due FROM public.event_feeds f
          JOIN public.webhooks w ON w.branch_id = f.branch_id AND w.id = f.webhook_id
         WHERE f.next_attempt_at <= now() AND w.active ORDER BY f.next_attempt_at LIMIT batch) q
     GROUP BY q.branch_id ORDER BY min(q.due);
END
$$;

-- The earliest pending page delivery, message, or feed batch waiting for its retry.
CREATE OR REPLACE FUNCTION scheduler.next_delivery() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT least((SELECT min(next_attempt_at) FROM public.page_deliveries WHERE state = 'pending'),
                 (SELECT min(next_attempt_at) FROM public.complainant_messages WHERE state = 'pending'),
                 (SELECT min(f.next_attempt_at) FROM public.event_feeds f
                   JOIN public.webhooks w ON w.branch_id = f.branch_id AND w.id = f.webhook_id
                  WHERE f.batch_id IS NOT NULL AND w.active))
$$;

REVOKE ALL ON FUNCTION scheduler.claim_event_feeds(uuid, integer, integer), scheduler.record_event_batch(uuid, uuid, integer, integer, text, timestamptz),
                       scheduler.due_feed_branches(integer), scheduler.feed_type(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.claim_event_feeds(uuid, integer, integer),
                          scheduler.record_event_batch(uuid, uuid, integer, integer, text, timestamptz),
                          scheduler.due_feed_branches(integer) TO redress_scheduler;
