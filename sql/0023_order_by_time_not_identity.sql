-- Order that does not depend on identity values. On Citus an identity column draws its values
-- from per-node ranges, so within one branch a row written on a worker can carry a larger id than
-- one written after it on the coordinator, and moving a shard changes nothing about the ids but
-- everything about which node writes next. Audit entries and timeline events are stamped with
-- clock_timestamp() as they are written; that time, with the id only to break a tie, is now the
-- order the audit trail is sealed in and the order a timeline is read in.

DROP INDEX audit_log_unsealed;
CREATE INDEX audit_log_unsealed ON audit_log (branch_id, at, id) WHERE seq IS NULL;

DROP INDEX complaint_events_complaint;
CREATE INDEX complaint_events_complaint ON complaint_events (branch_id, complaint_id, at, id);

-- Sealing appends each branch's unsealed entries to its chain in the order they were written.
CREATE OR REPLACE FUNCTION audit.seal(batch integer) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    branch uuid;
    entry public.audit_log;
    tip_seq bigint;
    tip_hash bytea;
    digest bytea;
    sealed integer := 0;
BEGIN
    FOR branch IN SELECT DISTINCT u.branch_id FROM public.audit_log u WHERE u.seq IS NULL LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('redress.audit.' || branch::text, 0));
        SELECT a.seq, a.hash INTO tip_seq, tip_hash FROM public.audit_log a
         WHERE a.branch_id = branch AND a.seq IS NOT NULL ORDER BY a.seq DESC LIMIT 1;
        FOR entry IN SELECT * FROM public.audit_log a WHERE a.branch_id = branch AND a.seq IS NULL
                      ORDER BY a.at, a.id LIMIT batch - sealed FOR UPDATE LOOP
            tip_seq := coalesce(tip_seq, 0) + 1;
            digest := audit.content_digest(entry.before, entry.after);
            entry.hash := sha256(convert_to(audit.sealed_text(entry, tip_seq, tip_hash, digest), 'UTF8'));
            UPDATE public.audit_log SET seq = tip_seq, prev_hash = tip_hash, hash = entry.hash, content_sha256 = digest
             WHERE branch_id = entry.branch_id AND id = entry.id;
            tip_hash := entry.hash;
            sealed := sealed + 1;
        END LOOP;
        EXIT WHEN sealed >= batch;
    END LOOP;
    RETURN sealed;
END
$$;
