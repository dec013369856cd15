-- The work queue reads a person's open complaints department by department; closed and archived
-- complaints, the bulk of a branch's history, stay out of this index.
CREATE INDEX complaints_open ON complaints (branch_id, department_id, due_at)
    WHERE status NOT IN ('closed', 'archived');
