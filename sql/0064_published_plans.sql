-- Published plans (000 §4.3(3), §4.3(4)): an approved handling plan, filed with regulators where it
-- must be, is published for the public after approval, redacted - a title and a summary written
-- for the public, which the service refuses when they hold the complainant's own phone number,
-- name or email or the name of anyone of the branch's staff, with the plan's measures, its
-- category and when it was approved; never the case number, the complainant or who handled it.
-- A branch manager publishes and withdraws (each audited); `GET /v1/public/branches/{code}/plans`
-- lists a branch's current publications without signing in (`progress.published_plans`).
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE TABLE published_plans (
    branch_id           uuid NOT NULL,
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    plan_id             uuid NOT NULL,
    -- The complaint the plan is for; the publication is not one of its rows and is seen by its own rules.
    source_complaint_id uuid NOT NULL,
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary             text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
    measures            text[] NOT NULL CHECK (cardinality(measures) > 0),
    category_id         uuid,
    approved_at         timestamptz NOT NULL,
    published_by        uuid NOT NULL,
    published_at        timestamptz NOT NULL DEFAULT now(),
    withdrawn_by        uuid,
    withdrawn_at        timestamptz,
    PRIMARY KEY (branch_id, id),
    CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL))
);
SELECT public.distribute_by_branch('public.published_plans');
ALTER TABLE published_plans ADD CONSTRAINT published_plans_plan FOREIGN KEY (branch_id, plan_id) REFERENCES complaint_plans (branch_id, id);
ALTER TABLE published_plans ADD CONSTRAINT published_plans_source
    FOREIGN KEY (branch_id, source_complaint_id) REFERENCES complaints (branch_id, id);
ALTER TABLE published_plans ADD CONSTRAINT published_plans_category FOREIGN KEY (branch_id, category_id) REFERENCES categories (branch_id, id);
ALTER TABLE published_plans ADD CONSTRAINT published_plans_published_by FOREIGN KEY (branch_id, published_by) REFERENCES users (branch_id, id);
ALTER TABLE published_plans ADD CONSTRAINT published_plans_withdrawn_by FOREIGN KEY (branch_id, withdrawn_by) REFERENCES users (branch_id, id);
CREATE UNIQUE INDEX published_plans_current ON published_plans (branch_id, plan_id) WHERE withdrawn_at IS NULL;
CREATE INDEX published_plans_listed ON published_plans (branch_id, published_at DESC, id DESC) WHERE withdrawn_at IS NULL;

ALTER TABLE published_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE published_plans FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON published_plans TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY visible ON published_plans FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))$$);
-- Published and withdrawn, once, by a branch manager of the branch as themselves.
SELECT public.scoped_policy($$CREATE POLICY published ON published_plans FOR INSERT TO redress_service
    WITH CHECK (published_by = (SELECT scope.user_id()) AND withdrawn_at IS NULL AND withdrawn_by IS NULL
                AND 'branch_manager' = ANY ((SELECT scope.roles())::text[])
                AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY withdrawn ON published_plans FOR UPDATE TO redress_service
    USING (withdrawn_at IS NULL AND 'branch_manager' = ANY ((SELECT scope.roles())::text[])
           AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))
    WITH CHECK (withdrawn_by = (SELECT scope.user_id()) AND withdrawn_at IS NOT NULL
                AND branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[]))$$);
GRANT SELECT ON published_plans TO redress_service;
GRANT INSERT (branch_id, id, plan_id, source_complaint_id, title, summary, measures, category_id, approved_at, published_by)
    ON published_plans TO redress_service;
GRANT UPDATE (withdrawn_by, withdrawn_at) ON published_plans TO redress_service;
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON published_plans
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('published_plans');

-- A branch's current publications, newest first (at most `max`), as the public sees them; NULL
-- when no branch has the code.
CREATE FUNCTION progress.published_plans(code text, max integer) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    branch uuid;
BEGIN
    SELECT b.id INTO branch FROM public.branches b WHERE b.code = published_plans.code;
    IF branch IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'id', p.id, 'title', p.title, 'summary', p.summary, 'measures', to_jsonb(p.measures),
                   'category', (SELECT k.name FROM public.categories k WHERE k.branch_id = branch AND k.id = p.category_id),
                   'approvedAt', date_trunc('second', p.approved_at), 'publishedAt', date_trunc('second', p.published_at))
                   ORDER BY p.published_at DESC, p.id DESC)
          FROM (SELECT * FROM public.published_plans q
                 WHERE q.branch_id = branch AND q.withdrawn_at IS NULL
                 ORDER BY q.published_at DESC, q.id DESC LIMIT max) p), '[]'::jsonb);
END
$$;
REVOKE ALL ON FUNCTION progress.published_plans(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION progress.published_plans(text, integer) TO redress_service;
