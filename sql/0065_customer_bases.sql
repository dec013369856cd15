-- The complaint rate (001 §6.4): complaints per 10,000 customers. A branch's admins enter its
-- customer base month by month; reports grouped by branch or region give each group's complaints
-- per 10,000 customers, against the average base of the period's months that have one
-- (`ReportStore.rates`).
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE TABLE customer_bases (
    branch_id   uuid NOT NULL,
    month       date NOT NULL CHECK (extract(day FROM month) = 1),
    customers   bigint NOT NULL CHECK (customers BETWEEN 1 AND 10000000000),
    recorded_by uuid NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, month)
);
SELECT public.distribute_by_branch('public.customer_bases');
ALTER TABLE customer_bases ADD CONSTRAINT customer_bases_recorded_by FOREIGN KEY (branch_id, recorded_by) REFERENCES users (branch_id, id);

ALTER TABLE customer_bases ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_bases FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON customer_bases TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY visible ON customer_bases FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY entered ON customer_bases FOR INSERT TO redress_service
    WITH CHECK (recorded_by = (SELECT scope.user_id()) AND branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY corrected ON customer_bases FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (recorded_by = (SELECT scope.user_id()) AND branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))$$);
GRANT SELECT ON customer_bases TO redress_service;
GRANT INSERT (branch_id, month, customers, recorded_by) ON customer_bases TO redress_service;
GRANT UPDATE (customers, recorded_by, recorded_at) ON customer_bases TO redress_service;
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON customer_bases
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('customer_bases');
