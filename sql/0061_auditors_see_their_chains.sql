-- The state of one branch's audit hash chain, for the auditors of that branch (the console's
-- audit page): how many entries are sealed and how many wait, the newest sealed entry and its
-- hash, and the first entry from which the chain does not hold, checked as audit.verify() checks
-- it. Other callers are refused. The whole chain is read on each call: its cost grows with the
-- branch's trail.
CREATE FUNCTION audit.chain_state(branch uuid)
    RETURNS TABLE (sealed bigint, unsealed bigint, tip_seq bigint, tip_hash text, break_seq bigint, problem text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF NOT ('auditor' = ANY (scope.roles()) AND branch = ANY (scope.case_branch_ids())) THEN
        RAISE EXCEPTION 'only the branch''s auditors read its chain' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH linked AS (
        SELECT a AS entry, a.seq, a.prev_hash, a.hash, a.before, a.after, a.content_sha256, a.erased_at,
               lag(a.seq) OVER w AS previous_seq, lag(a.hash) OVER w AS previous_hash
          FROM public.audit_log a
         WHERE a.branch_id = branch AND a.seq IS NOT NULL
        WINDOW w AS (ORDER BY a.seq)
    ), broken AS (
        SELECT l.seq,
               CASE WHEN l.seq <> coalesce(l.previous_seq, 0) + 1 THEN 'entries missing before it'
                    WHEN l.prev_hash IS DISTINCT FROM l.previous_hash THEN 'previous hash does not match'
                    ELSE 'content does not match its hash' END AS problem
          FROM linked l
         WHERE l.seq <> coalesce(l.previous_seq, 0) + 1
            OR l.prev_hash IS DISTINCT FROM l.previous_hash
            OR CASE WHEN l.content_sha256 IS NOT NULL THEN
                        l.hash <> sha256(convert_to(audit.sealed_text(l.entry, l.seq, l.prev_hash, l.content_sha256), 'UTF8'))
                        OR (l.erased_at IS NULL AND l.content_sha256 <> audit.content_digest(l.before, l.after))
                    WHEN l.erased_at IS NOT NULL THEN false
                    ELSE l.hash <> sha256(convert_to(audit.entry_text(l.entry, l.seq, l.prev_hash), 'UTF8')) END
         ORDER BY l.seq
         LIMIT 1
    )
    SELECT (SELECT count(*) FROM public.audit_log s WHERE s.branch_id = branch AND s.seq IS NOT NULL),
           (SELECT count(*) FROM public.audit_log u WHERE u.branch_id = branch AND u.seq IS NULL),
           tip.seq, encode(tip.hash, 'hex'), broken.seq, broken.problem
      FROM (SELECT 1) one
      LEFT JOIN LATERAL (SELECT t.seq, t.hash FROM public.audit_log t WHERE t.branch_id = branch AND t.seq IS NOT NULL
                          ORDER BY t.seq DESC LIMIT 1) tip ON true
      LEFT JOIN broken ON true;
END
$$;
REVOKE ALL ON FUNCTION audit.chain_state(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.chain_state(uuid) TO redress_service;
