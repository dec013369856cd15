-- Timestamps in one spelling: RFC 3339 in UTC with milliseconds (2026-03-10T02:30:00.125Z), as the
-- REST API and the page stream write them, in page summaries and webhook bodies too (to_jsonb of
-- a timestamptz writes microseconds and an offset). Pages written before this keep their summary
-- as it was stored.

CREATE FUNCTION public.rfc3339(moment timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;
COMMENT ON FUNCTION public.rfc3339(timestamptz) IS 'a moment as the API writes it: RFC 3339, UTC, milliseconds';

CREATE OR REPLACE FUNCTION scheduler.page_summary(c public.complaints, tier smallint, due_at timestamptz, late_seconds integer, department uuid)
    RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object('caseNumber', c.case_number, 'tier', tier, 'dueAt', public.rfc3339(due_at), 'lateSeconds', late_seconds,
                              'status', c.status, 'priority', c.priority, 'level', c.level, 'nature', c.nature,
                              'categoryId', c.category_id, 'departmentId', department, 'receivedAt', public.rfc3339(c.received_at))
$$;

CREATE OR REPLACE FUNCTION scheduler.claim_deliveries(batch integer, lease_seconds integer)
    RETURNS TABLE (branch_id uuid, id uuid, attempt integer, url text, secret text, body jsonb)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    WITH due AS (
        SELECT d.branch_id, d.id
          FROM public.page_deliveries d
         WHERE d.state = 'pending' AND d.next_attempt_at <= now()
         ORDER BY d.next_attempt_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE public.page_deliveries d
           SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => lease_seconds)
          FROM due
         WHERE d.branch_id = due.branch_id AND d.id = due.id
        RETURNING d.branch_id, d.id, d.attempts, d.page_id, d.webhook_id
    )
    SELECT c.branch_id, c.id, c.attempts, w.url, w.secret,
           jsonb_build_object('deliveryId', c.id, 'page', jsonb_build_object(
               'id', p.id, 'complaintId', p.complaint_id, 'tier', p.tier, 'rung', p.rung, 'recipientKind', p.recipient_kind,
               'recipientUserId', p.recipient_user_id, 'late', p.late, 'summary', p.summary,
               'createdAt', public.rfc3339(p.created_at)))
      FROM claimed c
      JOIN public.webhooks w ON w.branch_id = c.branch_id AND w.id = c.webhook_id
      JOIN public.pages p ON p.branch_id = c.branch_id AND p.id = c.page_id
$$;
