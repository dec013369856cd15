-- A report the counts do not keep (by department, category, channel and so on) is computed from the
-- complaints of its period, found by `complaints_received` and then read from the table one by
-- one for the columns it counts. Complaints come in side by side from every branch, so a branch's
-- month lies about one to a page: a branch manager's monthly report by department read some 8,000
-- pages of the table at 4,000,000 complaints, and once the table no longer fits in memory most of
-- them come from disk (`scripts/bench scale`). The index now carries every column the report and
-- the visibility policy read, so the report reads the index alone, in order of receipt: a few
-- hundred pages for the same month. Pages of the table are still read for complaints changed since
-- the last vacuum, as an index-only scan must; a past month's are all-visible once vacuumed.
--
-- The lists that page through a branch newest first keep the same key, so this index replaces the
-- one they used. A change of an included column now updates the index, as a change of any indexed
-- column does; most of them (deadlines, met times, tiers, department, handler, collaborators)
-- already changed an index of their own.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- Built beside the old index, which serves reads until the new one is in place (the build holds
-- back writes of complaints, not reads; the drop and the rename take a moment).
CREATE INDEX complaints_received_covering ON complaints (branch_id, received_at DESC, id DESC)
    INCLUDE (department_id, collaborating_department_ids, responsible_user_id, category_id, source, customer_type, channel, level,
             nature, repeat_of, satisfaction, escalated_tiers,
             acknowledge_deadline, initial_reply_deadline, preliminary_feedback_deadline, result_deadline,
             acknowledge_met_at, initial_reply_met_at, preliminary_feedback_met_at, result_met_at);
DROP INDEX complaints_received;
ALTER INDEX complaints_received_covering RENAME TO complaints_received;

-- Vacuumed after a few per cent of the table is new or changed, not a fifth (PostgreSQL's
-- default), so that this month's and last month's pages become all-visible, and their reports
-- index-only, within days rather than months of intake. A vacuum reads only the pages changed
-- since the last one.
ALTER TABLE complaints SET (autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);
