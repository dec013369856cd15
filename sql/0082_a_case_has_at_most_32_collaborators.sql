-- A complaint's collaborating departments are at most 32. The API takes at most 20, and paging the
-- complaint office (0048, 0053) or a review reaching it adds an office when it is not there yet, so
-- a case of the service's has at most 20 and its branch's complaint offices (one, as a rule); the
-- cap makes a bound a rule of the database too. A case's departments are copied to its timeline entries, messages and other rows, and the
-- indexes reports count from carry them (0079, 0080): a B-tree entry holds at most 2,704 bytes,
-- about 165 departments, beyond which writing the case's next result or message would fail.
ALTER TABLE complaints ADD CONSTRAINT complaints_collaborators_capped CHECK (cardinality(collaborating_department_ids) <= 32);
