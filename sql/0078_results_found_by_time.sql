-- A report counts the complaints given a result in its period from their timelines
-- (`ReportStore.reviews`: the entries that feed a result back, resolve on the spot or mark a
-- complaint invalid). With no index by time, that read every timeline entry of the report's
-- branches, so it grew with every complaint ever taken in: an executive's monthly report of
-- 200 branches spent over 4 s on it at 3,000,000 complaints (`scripts/bench scale`). This index
-- holds only those entries, by branch and time, so the read takes the period's.
CREATE INDEX complaint_events_results ON complaint_events (branch_id, at)
 WHERE kind IN ('feed_back_result', 'resolve_on_the_spot', 'mark_invalid');
