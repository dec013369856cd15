-- The case library (典型案例, 001 §5.4.3, 000 §8.2(3), 003 §九.2): what closed complaints taught,
-- kept for training - the situation, its cause, what was done, the lesson, and whether it is a
-- typical success or failure - with tags and a category. An entry is drafted from a closed
-- complaint's unsealed fields only; the service refuses text that holds that complaint's own
-- phone number, name or email (which only it can open). Entries are seen by the people of their
-- branch; a branch manager publishes one to share it with every branch, and may withdraw it.
--
-- Search finds any substring of two characters or more, Chinese as well as English, through the
-- text's character pairs (`public.library_pairs`): an entry holds every pair of the query's, which
-- a GIN index finds, and then the query itself (`strpos`), which the entries found are checked
-- for. A pair index needs no word boundaries, which Chinese text does not have. Under row-level
-- security the planner may not use the pair index (array containment is not leakproof), so
-- `public.library_search` picks the newest matching entries the caller may see as the owner,
-- applying the same visibility as the policy, and the store then reads them under the policy.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- The searchable text of an entry, in lower case.
CREATE FUNCTION public.library_text(title text, situation text, cause text, actions text, lesson text, tags text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(concat_ws(' ', title, situation, cause, actions, lesson, array_to_string(tags, ' '))) $$;

-- The distinct pairs of adjacent characters of `body` that hold no white space.
CREATE FUNCTION public.library_pairs(body text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(array_agg(DISTINCT pair), '{}')
      FROM (SELECT substr(body, i, 2) AS pair FROM generate_series(1, length(body) - 1) AS i) pairs
     WHERE pair !~ '[ \t\n\r\f\v]'
$$;

CREATE TABLE case_library_entries (
    branch_id           uuid NOT NULL,
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    -- The closed complaint it was drafted from, if any; the entry is not one of its rows and is
    -- seen by its own rules.
    source_complaint_id uuid,
    category_id         uuid,
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    situation           text NOT NULL CHECK (length(situation) BETWEEN 1 AND 4000),
    cause               text NOT NULL CHECK (length(cause) BETWEEN 1 AND 4000),
    actions             text NOT NULL CHECK (length(actions) BETWEEN 1 AND 4000),
    lesson              text NOT NULL CHECK (length(lesson) BETWEEN 1 AND 4000),
    outcome             text NOT NULL CHECK (outcome IN ('success', 'failure')),
    tags                text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
    created_by          uuid NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    published_by        uuid,
    published_at        timestamptz,
    search_text         text NOT NULL GENERATED ALWAYS AS
        (public.library_text(title, situation, cause, actions, lesson, tags)) STORED,
    search_pairs        text[] NOT NULL GENERATED ALWAYS AS
        (public.library_pairs(public.library_text(title, situation, cause, actions, lesson, tags))) STORED,
    PRIMARY KEY (branch_id, id),
    CHECK ((published_at IS NULL) = (published_by IS NULL))
);
SELECT public.distribute_by_branch('public.case_library_entries');
ALTER TABLE case_library_entries ADD CONSTRAINT case_library_entries_source
    FOREIGN KEY (branch_id, source_complaint_id) REFERENCES complaints (branch_id, id);
ALTER TABLE case_library_entries ADD CONSTRAINT case_library_entries_category
    FOREIGN KEY (branch_id, category_id) REFERENCES categories (branch_id, id);
ALTER TABLE case_library_entries ADD CONSTRAINT case_library_entries_created_by
    FOREIGN KEY (branch_id, created_by) REFERENCES users (branch_id, id);
ALTER TABLE case_library_entries ADD CONSTRAINT case_library_entries_published_by
    FOREIGN KEY (branch_id, published_by) REFERENCES users (branch_id, id);
CREATE INDEX case_library_entries_recent ON case_library_entries (branch_id, updated_at DESC, id DESC);
CREATE INDEX case_library_entries_shared ON case_library_entries (published_at DESC, id DESC) WHERE published_at IS NOT NULL;
CREATE INDEX case_library_entries_newest ON case_library_entries (updated_at DESC, id DESC);
CREATE INDEX case_library_entries_pairs ON case_library_entries USING gin (search_pairs);
ALTER TABLE case_library_entries ALTER COLUMN search_pairs SET STATISTICS 1000;
CREATE INDEX case_library_entries_tags ON case_library_entries USING gin (tags);

ALTER TABLE case_library_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_library_entries FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON case_library_entries TO redress_platform USING (true) WITH CHECK (true)$$);
-- The people of its branches, and, once published, of every branch.
SELECT public.scoped_policy($$CREATE POLICY visible ON case_library_entries FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           OR (published_at IS NOT NULL AND (SELECT scope.user_id()) IS NOT NULL))$$);
-- Written, unpublished and as themselves, by the people who handle complaints, in their own branch:
-- granted branches are read-only, and only executives and auditors hold grants.
SELECT public.scoped_policy($$CREATE POLICY written ON case_library_entries FOR INSERT TO redress_service
    WITH CHECK (created_by = (SELECT scope.user_id()) AND published_at IS NULL AND published_by IS NULL
                AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (SELECT scope.roles()) && ARRAY['agent', 'handler', 'department_head', 'branch_manager']
                AND NOT ((SELECT scope.roles()) && ARRAY['executive', 'auditor']))$$);
-- Edited by their writer while unpublished, and by the branch's managers, who publish and withdraw.
SELECT public.scoped_policy($$CREATE POLICY edited ON case_library_entries FOR UPDATE TO redress_service
    USING ((created_by = (SELECT scope.user_id()) AND published_at IS NULL)
           OR ('branch_manager' = ANY ((SELECT scope.roles())::text[]) AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])))
    WITH CHECK ((created_by = (SELECT scope.user_id()) AND published_at IS NULL)
                OR ('branch_manager' = ANY ((SELECT scope.roles())::text[])
                    AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])))$$);
GRANT SELECT ON case_library_entries TO redress_service;
GRANT INSERT (branch_id, id, source_complaint_id, category_id, title, situation, cause, actions, lesson, outcome, tags, created_by)
    ON case_library_entries TO redress_service;
GRANT UPDATE (category_id, title, situation, cause, actions, lesson, outcome, tags, updated_at, published_by, published_at)
    ON case_library_entries TO redress_service;
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON case_library_entries
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('case_library_entries');
-- The audit trail holds the entry's text once: not its lower-case copy and pairs.
CREATE OR REPLACE FUNCTION audit.hidden_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT ARRAY['password_hash', 'key_hash', 'token_hash', 'secret', 'content', 'complainant_name', 'complainant_phone',
                 'complainant_email', 'complainant_address', 'complainant_sealed', 'complainant_phone_index',
                 'customer_ref', 'description', 'desired_outcome', 'location', 'resolution', 'party',
                 'direct_parties', 'indirect_parties', 'accountability', 'comments', 'note', 'rejection_reason',
                 'access_code_digest', 'signing_secret', 'search_text', 'search_pairs']
$$;

-- Published and withdrawn by a branch manager of its branch, as themselves. It reads the row and
-- the transaction's scope alone, so it runs on any shard.
CREATE FUNCTION public.library_published_by_a_manager() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF scope.user_id() IS NULL OR (NEW.published_at, NEW.published_by) IS NOT DISTINCT FROM (OLD.published_at, OLD.published_by) THEN
        RETURN NEW;
    END IF;
    IF NOT ('branch_manager' = ANY (scope.roles()) AND NEW.branch_id = ANY (scope.case_write_branch_ids()))
       OR (NEW.published_by IS NOT NULL AND NEW.published_by <> scope.user_id()) THEN
        RAISE EXCEPTION 'a case library entry is published and withdrawn by a branch manager of its branch, as themselves'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION public.library_published_by_a_manager() FROM PUBLIC;
CREATE TRIGGER published_by_a_manager BEFORE UPDATE ON case_library_entries
    FOR EACH ROW EXECUTE FUNCTION public.library_published_by_a_manager();

-- The newest `max` entries the caller sees (their branches' own, and every branch's published
-- ones, as the `visible` policy has it) that hold `query` and match the filters, as their branches
-- and ids in order. First among the 2,000 newest the caller sees, walking the recency index and
-- reading each text for the query, which finds common words at once; when those hold fewer than
-- `max`, among all of them, through the pair and tag indexes, which find rare words at once.
CREATE FUNCTION public.library_search(query text, tag text, category uuid, kind text, shared boolean, max integer,
                                      OUT branch_ids uuid[], OUT ids uuid[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    needle text := lower(query);
    pairs text[] := public.library_pairs(lower(query));
    window_size constant integer := 2000;
    seen integer;
    -- The caller's scope, read once rather than for each row.
    own uuid[] := scope.branch_ids();
    caller uuid := scope.user_id();
BEGIN
    SELECT coalesce(array_agg(m.branch_id ORDER BY m.updated_at DESC, m.id DESC), '{}'),
           coalesce(array_agg(m.id ORDER BY m.updated_at DESC, m.id DESC), '{}')
      INTO branch_ids, ids
      FROM (SELECT e.branch_id, e.id, e.updated_at
              FROM (SELECT v.branch_id, v.id, v.updated_at, v.search_text, v.tags, v.category_id, v.outcome, v.published_at
                      FROM public.case_library_entries v
                     WHERE v.branch_id = ANY (own) OR (v.published_at IS NOT NULL AND caller IS NOT NULL)
                     ORDER BY v.updated_at DESC, v.id DESC LIMIT window_size) e
             WHERE (needle IS NULL OR strpos(e.search_text, needle) > 0)
               AND (tag IS NULL OR e.tags @> ARRAY[tag]) AND (category IS NULL OR e.category_id = category)
               AND (kind IS NULL OR e.outcome = kind) AND (shared IS NULL OR (e.published_at IS NOT NULL) = shared)
             ORDER BY e.updated_at DESC, e.id DESC LIMIT max) m;
    IF cardinality(ids) >= max THEN
        RETURN;
    END IF;
    SELECT count(*) INTO seen
      FROM (SELECT 1 FROM public.case_library_entries v
             WHERE v.branch_id = ANY (own) OR (v.published_at IS NOT NULL AND caller IS NOT NULL)
             ORDER BY v.updated_at DESC, v.id DESC LIMIT window_size) w;
    IF seen < window_size THEN
        RETURN;
    END IF;
    -- Sorted by an expression, so that the planner reaches for the pair and tag indexes instead of the recency index.
    SELECT coalesce(array_agg(m.branch_id ORDER BY m.updated_at DESC, m.id DESC), '{}'),
           coalesce(array_agg(m.id ORDER BY m.updated_at DESC, m.id DESC), '{}')
      INTO branch_ids, ids
      FROM (SELECT e.branch_id, e.id, e.updated_at FROM public.case_library_entries e
             WHERE (e.branch_id = ANY (own) OR (e.published_at IS NOT NULL AND caller IS NOT NULL))
               AND (needle IS NULL OR (e.search_pairs @> pairs AND strpos(e.search_text, needle) > 0))
               AND (tag IS NULL OR e.tags @> ARRAY[tag]) AND (category IS NULL OR e.category_id = category)
               AND (kind IS NULL OR e.outcome = kind) AND (shared IS NULL OR (e.published_at IS NOT NULL) = shared)
             ORDER BY e.updated_at + interval '0 seconds' DESC, e.id DESC LIMIT max) m;
END
$$;
REVOKE ALL ON FUNCTION public.library_search(text, text, uuid, text, boolean, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.library_search(text, text, uuid, text, boolean, integer) TO redress_service;
