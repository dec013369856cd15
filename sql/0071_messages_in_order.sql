-- A complainant's messages reach the gateway in the order they were written: the result before the
-- survey's invitation written in the same transaction, a review's receipt before its decision. A
-- message is written at the clock's time rather than its transaction's start, so that two written
-- in one transaction are ordered, and a message is claimed only when no earlier message to the same
-- complaint is still pending (waiting, leased to a deliverer or backing off after a failure); a
-- message that is dead-lettered or settled unsent no longer holds the next. The branches listed as
-- due and the delivery service's next wake-up leave out a message held so, or a message held
-- behind one backing off would wake the service at once, again and again (the wake-up reads the
-- pending messages in the order they fall due and stops at the first one not held). Two changes
-- whose transactions overlap write messages that may go in either order: each is told in the order
-- its changes were committed.
ALTER TABLE complainant_messages ALTER COLUMN created_at SET DEFAULT clock_timestamp();

-- Whether a message is next for its complaint is written out in each statement below rather than
-- called: on Citus a statement over a distributed table may call no function that reads one.
CREATE OR REPLACE FUNCTION scheduler.due_message_branches(batch integer) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT q.branch_id FROM (
        SELECT m.branch_id, m.next_attempt_at AS due FROM public.complainant_messages m
         WHERE m.state = 'pending' AND m.next_attempt_at <= now()
           AND NOT EXISTS (SELECT FROM public.complainant_messages e
                            WHERE e.branch_id = m.branch_id AND e.complaint_id = m.complaint_id AND e.state = 'pending'
                              AND (e.created_at, e.id) < (m.created_at, m.id))
         ORDER BY m.next_attempt_at LIMIT batch) q
     GROUP BY q.branch_id ORDER BY min(q.due);
END
$$;

CREATE OR REPLACE FUNCTION scheduler.next_delivery() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT least((SELECT min(next_attempt_at) FROM public.page_deliveries WHERE state = 'pending'),
                 (SELECT m.next_attempt_at FROM public.complainant_messages m
                   WHERE m.state = 'pending'
                     AND NOT EXISTS (SELECT FROM public.complainant_messages e
                                      WHERE e.branch_id = m.branch_id AND e.complaint_id = m.complaint_id AND e.state = 'pending'
                                        AND (e.created_at, e.id) < (m.created_at, m.id))
                   ORDER BY m.next_attempt_at LIMIT 1),
                 (SELECT min(f.next_attempt_at) FROM public.event_feeds f
                   JOIN public.webhooks w ON w.branch_id = f.branch_id AND w.id = f.webhook_id
                  WHERE f.batch_id IS NOT NULL AND w.active))
$$;

CREATE OR REPLACE FUNCTION scheduler.claim_messages(branch uuid, batch integer, lease_seconds integer)
    RETURNS TABLE (branch_id uuid, id uuid, attempt integer, url text, secret text, complaint_id uuid, case_number text,
                   event text, channel text, language text, sealed_key_id text, sealed_box bytea)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    gateway public.webhooks;
    due_ids uuid[];
BEGIN
    SELECT w.* INTO gateway FROM public.webhooks w WHERE w.branch_id = branch AND w.kind = 'gateway' AND w.active;
    SELECT coalesce(array_agg(d.id), '{}') INTO due_ids FROM (
        SELECT m.id FROM public.complainant_messages m
         WHERE m.branch_id = branch AND m.state = 'pending' AND m.next_attempt_at <= now()
           AND NOT EXISTS (SELECT FROM public.complainant_messages e
                            WHERE e.branch_id = branch AND e.complaint_id = m.complaint_id AND e.state = 'pending'
                              AND (e.created_at, e.id) < (m.created_at, m.id))
         ORDER BY m.next_attempt_at
         LIMIT batch
           FOR UPDATE OF m SKIP LOCKED) d;
    IF gateway.id IS NULL THEN
        UPDATE public.complainant_messages m
           SET state = 'unsent', last_error = 'no_gateway', next_attempt_at = NULL, finished_at = now(),
               sealed_box = NULL, sealed_key_id = NULL
         WHERE m.branch_id = branch AND m.id = ANY (due_ids);
        RETURN;
    END IF;
    RETURN QUERY
    WITH claimed AS (
        UPDATE public.complainant_messages m
           SET attempts = m.attempts + 1, next_attempt_at = now() + make_interval(secs => lease_seconds), webhook_id = gateway.id
         WHERE m.branch_id = branch AND m.id = ANY (due_ids)
        RETURNING m.branch_id, m.id, m.attempts, m.complaint_id, m.event, m.channel, m.language, m.sealed_key_id, m.sealed_box
    )
    SELECT c.branch_id, c.id, c.attempts, gateway.url, gateway.secret, c.complaint_id, k.case_number, c.event, c.channel,
           c.language, c.sealed_key_id, c.sealed_box
      FROM claimed c
      JOIN public.complaints k ON k.branch_id = branch AND k.id = c.complaint_id;
END
$$;
