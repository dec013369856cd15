-- An escalation records when one of its pages was first acknowledged, so "escalated and nobody
-- acknowledged" (the work queue) reads one row per escalation from a small index instead of
-- probing every page. The trigger that stops re-paging when a page is acknowledged writes it in
-- the same statement that clears `ack_due_at`.
ALTER TABLE escalations ADD COLUMN acknowledged_at timestamptz;

UPDATE escalations e
   SET acknowledged_at = a.first
  FROM (SELECT branch_id, escalation_id, min(acknowledged_at) AS first FROM pages
         WHERE acknowledged_at IS NOT NULL GROUP BY branch_id, escalation_id) a
 WHERE e.branch_id = a.branch_id AND e.id = a.escalation_id;

CREATE INDEX escalations_unacknowledged ON escalations (branch_id, complaint_id) WHERE acknowledged_at IS NULL;

CREATE OR REPLACE FUNCTION scheduler.stop_repaging()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
BEGIN
    UPDATE public.escalations SET ack_due_at = NULL, acknowledged_at = coalesce(acknowledged_at, NEW.acknowledged_at)
     WHERE branch_id = NEW.branch_id AND id = NEW.escalation_id AND (ack_due_at IS NOT NULL OR acknowledged_at IS NULL);
    RETURN NULL;
END
$function$;
