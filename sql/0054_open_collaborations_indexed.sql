-- The open complaints that have collaborating departments, per branch: a department's work queue
-- finds those its departments collaborate on through this index. The array index on the
-- collaborations cannot serve it under row-level security (`&&` is not leakproof, so it is tested
-- after the policies), but a partial index's condition is only proved, never run, so the queue
-- reads the few complaints with collaborations instead of every open one of the branch.
CREATE INDEX complaints_open_collaborated ON complaints (branch_id)
    WHERE status NOT IN ('closed', 'archived') AND collaborating_department_ids <> '{}';
