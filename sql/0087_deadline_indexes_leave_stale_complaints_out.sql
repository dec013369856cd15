-- A backlog of stale deadlines costs each scheduler pass what its batch costs, not what the backlog
-- does. Since 0085 nothing fires on a complaint whose deadlines are stale, and a pass recomputes one
-- batch of them per branch; but the statements of a pass still read the whole backlog:
-- - the indexes of due tiers and alarms held the stale complaints, so every statement that reads
--   them (the claims of tiers and alarms, the rerouting before them, the branches with work due,
--   the next due time) found each stale complaint whose old deadline had passed and read its row
--   to drop it;
-- - a branch's batch to recompute (the earliest old deadlines first) sorted all its stale
--   complaints, and the scheduler's lag (`public.next_scheduled_work`) read all of them for the
--   earliest.
-- Measured on 20,000 complaints of one branch, 15,000 of them stale with their old deadlines
-- passed, 100 due: a claim's statement took 15 ms (reading 15,000 rows to keep 100) and 0.15 ms
-- with these indexes; the next due time 12 ms and 0.03 ms; the branch's batch of 500 to recompute
-- 28 ms and 1 ms; the earliest stale deadline 8.8 ms and 0.03 ms. A pass runs each of them, and
-- passes follow one another at once while a backlog lasts: a backlog of n stale complaints took
-- about n / batch passes that each read all n; now each reads about its batch.
--
-- A complaint leaves the due indexes when marked stale and enters them again when recomputed, as
-- any change of its deadlines moves it; marking complaints stale already wrote index entries
-- (0011's `complaints_sla_stale`, which the first stale index here replaces), so no update that
-- was HOT before stops being so.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE INDEX complaints_next_escalation_current ON complaints (next_escalation_at)
    WHERE next_escalation_at IS NOT NULL AND NOT sla_stale;
DROP INDEX complaints_next_escalation;
ALTER INDEX complaints_next_escalation_current RENAME TO complaints_next_escalation;

CREATE INDEX complaints_next_escalation_per_branch_current ON complaints (branch_id, next_escalation_at)
    WHERE next_escalation_at IS NOT NULL AND NOT sla_stale;
DROP INDEX complaints_next_escalation_per_branch;
ALTER INDEX complaints_next_escalation_per_branch_current RENAME TO complaints_next_escalation_per_branch;

CREATE INDEX complaints_next_alarm_current ON complaints (next_alarm_at)
    WHERE next_alarm_at IS NOT NULL AND NOT sla_stale;
DROP INDEX complaints_next_alarm;
ALTER INDEX complaints_next_alarm_current RENAME TO complaints_next_alarm;

CREATE INDEX complaints_next_alarm_per_branch_current ON complaints (branch_id, next_alarm_at)
    WHERE next_alarm_at IS NOT NULL AND NOT sla_stale;
DROP INDEX complaints_next_alarm_per_branch;
ALTER INDEX complaints_next_alarm_per_branch_current RENAME TO complaints_next_alarm_per_branch;

-- The stale complaints of a branch by their old deadline, as a batch to recompute takes them
-- (`ORDER BY least(next_escalation_at, next_alarm_at) NULLS LAST, id`), which also lists the
-- branches that have any (`scheduler.stale_branches`); and all of them in that order, for the
-- earliest old deadline (many share one: a calendar's deadlines fall on its working hours' edges,
-- and the id orders those).
CREATE INDEX complaints_stale_by_old_deadline ON complaints (branch_id, (least(next_escalation_at, next_alarm_at)), id)
    WHERE sla_stale;
DROP INDEX complaints_sla_stale;
CREATE INDEX complaints_stale_next_work ON complaints ((least(next_escalation_at, next_alarm_at)), id) WHERE sla_stale;
