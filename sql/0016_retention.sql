-- Retention: closed complaints are archived after a while, and after the retention period
-- (three years by default) everything that identifies the customer is erased, while what the
-- reports count stays.
--
-- `retention.apply(archive_after, erase_after, dry_run)` (run by the scheduler, or by an operator
-- with `redress retention`) archives closed complaints whose follow-ups are done and that closed
-- more than `archive_after` ago, and erases the personal data of closed or archived complaints that
-- closed more than `erase_after` ago: the sealed complainant, the blind index, any plaintext
-- columns, the customer reference, the free text (description, desired outcome, location,
-- resolution, party) and the text of every communication. Category, channel, level, nature,
-- priority, departments, dates, milestones, escalations and satisfaction scores stay, so reports
-- over any period give the same figures before and after. Each change is on the timeline. With
-- `dry_run` nothing changes and the same rows are returned.
--
-- The audit trail keeps no free text of complaints or communications (only that it changed), so
-- erasure does not leave a copy there.

ALTER TABLE complaints ADD COLUMN erased_at timestamptz;

CREATE SCHEMA retention;
GRANT USAGE ON SCHEMA retention TO redress_service;

CREATE FUNCTION retention.apply(archive_after interval, erase_after interval, dry_run boolean, batch integer DEFAULT 1000)
    RETURNS TABLE (branch_id uuid, complaint_id uuid, case_number text, action text, closed_at timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
#variable_conflict use_column
BEGIN
    IF archive_after < interval '1 day' OR erase_after < interval '365 days' THEN
        RAISE EXCEPTION 'archive after at least a day, erase after at least a year' USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
    WITH due AS (
        SELECT c.branch_id, c.id, c.case_number, c.closed_at,
               CASE WHEN c.closed_at < now() - erase_after AND c.erased_at IS NULL THEN 'erase' ELSE 'archive' END AS action
          FROM complaints c
         WHERE c.status IN ('closed', 'archived') AND c.closed_at IS NOT NULL
           AND ((c.status = 'closed' AND c.closed_at < now() - archive_after
                 AND NOT EXISTS (SELECT FROM follow_ups f WHERE f.branch_id = c.branch_id AND f.complaint_id = c.id AND f.status = 'due'))
                OR (c.closed_at < now() - erase_after AND c.erased_at IS NULL))
         ORDER BY c.closed_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), changed AS (
        UPDATE complaints c
           SET status = 'archived',
               complainant_sealed = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_sealed END,
               complainant_key_id = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_key_id END,
               complainant_phone_index = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_phone_index END,
               complainant_name = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_name END,
               complainant_phone = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_phone END,
               complainant_email = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_email END,
               complainant_address = CASE WHEN d.action = 'erase' THEN NULL ELSE c.complainant_address END,
               customer_ref = CASE WHEN d.action = 'erase' THEN NULL ELSE c.customer_ref END,
               description = CASE WHEN d.action = 'erase' THEN 'erased after the retention period' ELSE c.description END,
               desired_outcome = CASE WHEN d.action = 'erase' THEN NULL ELSE c.desired_outcome END,
               location = CASE WHEN d.action = 'erase' THEN NULL ELSE c.location END,
               resolution = CASE WHEN d.action = 'erase' THEN NULL ELSE c.resolution END,
               party = CASE WHEN d.action = 'erase' THEN NULL ELSE c.party END,
               erased_at = CASE WHEN d.action = 'erase' THEN now() ELSE c.erased_at END,
               updated_at = now()
          FROM due d
         WHERE NOT dry_run AND c.branch_id = d.branch_id AND c.id = d.id
        RETURNING c.branch_id, c.id
    ), communications AS (
        UPDATE complaint_communications m SET content = 'erased after the retention period'
          FROM due d
         WHERE NOT dry_run AND d.action = 'erase' AND m.branch_id = d.branch_id AND m.complaint_id = d.id
    ), noted AS (
        INSERT INTO complaint_events (branch_id, complaint_id, kind, after)
        SELECT d.branch_id, d.id, CASE d.action WHEN 'erase' THEN 'erased' ELSE 'archived' END, jsonb_build_object('reason', 'retention')
          FROM due d
         WHERE NOT dry_run
    )
    SELECT d.branch_id, d.id, d.case_number, d.action, d.closed_at FROM due d;
END
$$;
REVOKE ALL ON FUNCTION retention.apply(interval, interval, boolean, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention.apply(interval, interval, boolean, integer) TO redress_service;

-- The audit trail leaves out the free text of complaints too.
CREATE OR REPLACE FUNCTION audit.hidden_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT ARRAY['password_hash', 'key_hash', 'token_hash', 'secret', 'content', 'complainant_name', 'complainant_phone',
                 'complainant_email', 'complainant_address', 'complainant_sealed', 'complainant_phone_index',
                 'customer_ref', 'description', 'desired_outcome', 'location', 'resolution', 'party']
$$;
