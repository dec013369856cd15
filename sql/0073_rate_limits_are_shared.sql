-- Rate limits shared by every API instance: sign-in attempts per client address, requests per
-- credential and per intake key, failed bearer tokens per address, phone searches per person and
-- public lookups per address were counted by each instance on its own, so N instances admitted N
-- times a limit and a throttle could be dodged by landing on another instance.
--
-- Each instance now adds what it counted to `auth.rate_counts` and reads back everyone's totals:
-- in one statement every quarter of a second for the busy limits, and for sign-in attempts at
-- each attempt (a sign-in is rare and slow, and its limit must hold exactly). Windows are whole
-- minutes of the clock, the same on every instance, and the minute before is read too (a sliding
-- window). A key is kept as its SHA-256 digest, not in clear (credentials and person ids; an IPv4
-- address can be found again from its digest by trying them all). Counts older than ten minutes
-- are removed as counts are added.
-- Like the sign-in failures, this table lives on the coordinator only (no branch).

CREATE TABLE auth.rate_counts (
    limiter      text NOT NULL CHECK (length(limiter) BETWEEN 1 AND 40),
    key_digest   bytea NOT NULL CHECK (length(key_digest) = 32),
    window_start bigint NOT NULL,
    requests     integer NOT NULL CHECK (requests >= 0),
    PRIMARY KEY (limiter, key_digest, window_start)
);
CREATE INDEX rate_counts_age ON auth.rate_counts (window_start);
ALTER TABLE auth.rate_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.rate_counts FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON auth.rate_counts TO redress_platform USING (true) WITH CHECK (true)$$);
REVOKE ALL ON auth.rate_counts FROM PUBLIC;

-- Adds each (limiter, key digest in hex, window) its count and returns the totals of all
-- instances; a count of 0 only reads the total (the window before, for the sliding window), and
-- writes nothing. Rows are written in key order, so two instances adding the same keys never
-- wait on each other in a cycle. Windows more than a day from now are ignored; about one call in
-- fifty removes the counts older than ten minutes.
CREATE FUNCTION auth.count_requests(limiters text[], key_digests text[], windows bigint[], added integer[])
    RETURNS TABLE (limiter text, key_digest text, window_start bigint, requests integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    second bigint := extract(epoch FROM now())::bigint;
BEGIN
    IF cardinality(limiters) > 100000 THEN
        RAISE EXCEPTION 'at most 100000 counts at once' USING ERRCODE = '22023';
    END IF;
    IF random() < 0.02 THEN
        DELETE FROM auth.rate_counts r WHERE r.window_start < second - 600;
    END IF;
    RETURN QUERY
    WITH wanted AS (
        SELECT a.limiter, decode(a.key_digest, 'hex') AS key_digest, a.window_start, sum(greatest(a.added, 0))::integer AS added
          FROM unnest(limiters, key_digests, windows, added) AS a (limiter, key_digest, window_start, added)
         WHERE a.limiter IS NOT NULL AND a.key_digest ~ '^[0-9a-f]{64}$' AND abs(a.window_start - second) < 86400
         GROUP BY 1, 2, 3
    ), counted AS (
        INSERT INTO auth.rate_counts AS r (limiter, key_digest, window_start, requests)
        SELECT w.limiter, w.key_digest, w.window_start, w.added FROM wanted w WHERE w.added > 0 ORDER BY 1, 2, 3
            ON CONFLICT ON CONSTRAINT rate_counts_pkey DO UPDATE SET requests = r.requests + excluded.requests
        RETURNING r.limiter, r.key_digest, r.window_start, r.requests
    )
    SELECT c.limiter, encode(c.key_digest, 'hex'), c.window_start, c.requests FROM counted c
    UNION ALL
    SELECT r.limiter, encode(r.key_digest, 'hex'), r.window_start, r.requests
      FROM wanted w JOIN auth.rate_counts r USING (limiter, key_digest, window_start)
     WHERE w.added = 0;
END
$$;
REVOKE ALL ON FUNCTION auth.count_requests(text[], text[], bigint[], integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.count_requests(text[], text[], bigint[], integer[]) TO redress_service;
