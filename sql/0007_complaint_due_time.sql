-- When the customer was promised a result (recorded with the initial reply when grading), and
-- the complaint's next due time: the promise for now; the SLA clock keeps it at the nearest
-- milestone deadline. Lists sort by it, overdue lists filter on it.
ALTER TABLE complaints ADD COLUMN promised_by timestamptz, ADD COLUMN due_at timestamptz;
CREATE INDEX complaints_due ON complaints (branch_id, (coalesce(due_at, 'infinity'::timestamptz)), id);
