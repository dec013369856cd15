-- A report counts the complaints given a result in its period from the index of results (0078),
-- but each entry found there was then read from the table for the columns its case's visibility
-- and the count need: entries are written as complaints move, so a month's results lie one to a
-- page, and an executive's report of 20 branches read some 35,000 pages for 61,000 results at
-- 1,000,000 complaints (`scripts/bench scale`). This index carries those columns, so the count
-- reads the index alone: a past month's pages are all-visible once vacuumed, since timeline entries
-- change only when their case's visibility follows a new department, collaborator or handler
-- (`public.follow_case`) or retention erases them. Those changes now update this index too, and
-- the others of the timeline, as a change of an indexed column does.
CREATE INDEX complaint_events_results_counted ON complaint_events (branch_id, at)
    INCLUDE (complaint_id, case_department_id, case_collaborating_department_ids, case_responsible_user_id)
 WHERE kind IN ('feed_back_result', 'resolve_on_the_spot', 'mark_invalid');
DROP INDEX complaint_events_results;
