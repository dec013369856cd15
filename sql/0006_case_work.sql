-- Case work attached to a complaint: the communications log, evidence, responsibility findings,
-- handling plans with their approval chain, and satisfaction surveys.
--
-- Everything here is visible exactly when its complaint is, and may be added by whoever can see
-- the complaint (collaborating departments add evidence too), always in their own name. The
-- service never updates or deletes these rows, except a plan's approval columns; evidence content
-- is immutable for everyone, its owner included.

CREATE TABLE complaint_communications (
    branch_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id  uuid NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    direction     text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    channel       text NOT NULL CHECK (channel IN ('phone', 'web', 'email', 'visit', 'sms', 'chat', 'social_media',
                      'third_party', 'app', 'letter', 'internal')),
    kind          text NOT NULL CHECK (kind IN ('confirmation', 'initial_reply', 'progress_update', 'result_feedback',
                      'follow_up', 'note')),
    content       text NOT NULL CHECK (length(content) BETWEEN 1 AND 20000),
    recorded_by   uuid NOT NULL,
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id),
    FOREIGN KEY (branch_id, recorded_by) REFERENCES users (branch_id, id)
);
CREATE INDEX complaint_communications_complaint ON complaint_communications (branch_id, complaint_id, at);

CREATE TABLE complaint_evidence (
    branch_id      uuid NOT NULL,
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id   uuid NOT NULL,
    type           text NOT NULL CHECK (type IN ('documentary', 'electronic', 'physical', 'witness')),
    source         text NOT NULL CHECK (length(source) BETWEEN 1 AND 500),
    description    text CHECK (length(description) <= 5000),
    collected_at   timestamptz NOT NULL,
    collected_by   text NOT NULL CHECK (length(collected_by) BETWEEN 1 AND 200),
    content_type   text CHECK (length(content_type) <= 200),
    content        bytea,
    size           integer NOT NULL CHECK (size BETWEEN 0 AND 1048576),
    sha256         bytea NOT NULL CHECK (length(sha256) = 32),
    recorded_by    uuid NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id),
    FOREIGN KEY (branch_id, recorded_by) REFERENCES users (branch_id, id),
    CHECK (size = coalesce(length(content), 0)),
    CHECK (sha256 = sha256(coalesce(content, ''::bytea)))
);
CREATE INDEX complaint_evidence_complaint ON complaint_evidence (branch_id, complaint_id, recorded_at);

CREATE FUNCTION refuse_evidence_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'evidence is immutable once recorded'
        USING ERRCODE = 'insufficient_privilege', TABLE = 'complaint_evidence';
END
$$;
CREATE TRIGGER complaint_evidence_immutable BEFORE UPDATE OR DELETE ON complaint_evidence
    FOR EACH ROW EXECUTE FUNCTION refuse_evidence_change();

CREATE TABLE complaint_findings (
    branch_id          uuid NOT NULL,
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id       uuid NOT NULL,
    basis              text NOT NULL CHECK (basis IN ('fault', 'strict_liability', 'causation')),
    direct_parties     text[] NOT NULL DEFAULT '{}',
    indirect_parties   text[] NOT NULL DEFAULT '{}',
    summary            text NOT NULL CHECK (length(summary) BETWEEN 1 AND 20000),
    accountability     text CHECK (length(accountability) <= 5000),
    recorded_by        uuid NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id),
    FOREIGN KEY (branch_id, recorded_by) REFERENCES users (branch_id, id)
);
CREATE INDEX complaint_findings_complaint ON complaint_findings (branch_id, complaint_id, recorded_at);

-- A handling plan and its approval chain: department head, then branch leadership when the
-- complaint is level 1 or major, with the regulator filing recorded where required.
CREATE TABLE complaint_plans (
    branch_id                   uuid NOT NULL,
    id                          uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id                uuid NOT NULL,
    measures                    text[] NOT NULL CHECK (cardinality(measures) > 0 AND measures <@ ARRAY['apology',
                                    'repair', 'replacement', 'refund', 'compensation', 'coupon_points', 'free_service',
                                    'mediation', 'process_fix']),
    description                 text NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
    compensation_amount         numeric(14, 2) CHECK (compensation_amount >= 0),
    currency                    text CHECK (currency ~ '^[A-Z]{3}$'),
    responsible_department_id   uuid,
    responsible_user_id         uuid,
    due_at                      timestamptz,
    regulator_filing_required   boolean NOT NULL DEFAULT false,
    regulator_reference         text CHECK (length(regulator_reference) <= 200),
    status                      text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'head_approved',
                                    'approved', 'rejected')),
    proposed_by                 uuid NOT NULL,
    proposed_at                 timestamptz NOT NULL DEFAULT now(),
    head_approved_by            uuid,
    head_approved_at            timestamptz,
    leadership_approved_by      uuid,
    leadership_approved_at      timestamptz,
    rejected_by                 uuid,
    rejected_at                 timestamptz,
    rejection_reason            text CHECK (length(rejection_reason) <= 5000),
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id),
    FOREIGN KEY (branch_id, responsible_department_id) REFERENCES departments (branch_id, id),
    FOREIGN KEY (branch_id, responsible_user_id) REFERENCES users (branch_id, id),
    FOREIGN KEY (branch_id, proposed_by) REFERENCES users (branch_id, id),
    CHECK (compensation_amount IS NULL OR currency IS NOT NULL)
);
CREATE INDEX complaint_plans_complaint ON complaint_plans (branch_id, complaint_id, proposed_at);
-- At most one plan awaits approval at a time (a reopened complaint may get a new plan later).
CREATE UNIQUE INDEX complaint_plans_pending ON complaint_plans (branch_id, complaint_id)
    WHERE status IN ('proposed', 'head_approved');

CREATE TABLE complaint_surveys (
    branch_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id  uuid NOT NULL,
    method        text NOT NULL CHECK (method IN ('phone', 'sms', 'email', 'visit', 'online_questionnaire')),
    score         smallint NOT NULL CHECK (score BETWEEN 1 AND 10),
    attitude      smallint CHECK (attitude BETWEEN 1 AND 10),
    efficiency    smallint CHECK (efficiency BETWEEN 1 AND 10),
    outcome       smallint CHECK (outcome BETWEEN 1 AND 10),
    comments      text CHECK (length(comments) <= 5000),
    recorded_by   uuid NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id),
    FOREIGN KEY (branch_id, recorded_by) REFERENCES users (branch_id, id)
);
CREATE INDEX complaint_surveys_complaint ON complaint_surveys (branch_id, complaint_id, recorded_at);

DO $$
DECLARE
    tab text;
BEGIN
    FOREACH tab IN ARRAY ARRAY['complaint_communications', 'complaint_evidence', 'complaint_findings',
                               'complaint_plans', 'complaint_surveys'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tab);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tab);
        EXECUTE format('CREATE POLICY platform ON %I TO redress_platform USING (true) WITH CHECK (true)', tab);
        EXECUTE format('CREATE POLICY visible ON %1$I FOR SELECT TO redress_service USING (EXISTS (SELECT FROM complaints c '
                       'WHERE c.branch_id = %1$I.branch_id AND c.id = %1$I.complaint_id))', tab);
        EXECUTE format('GRANT SELECT, INSERT ON %I TO redress_service', tab);
    END LOOP;
END
$$;

CREATE POLICY recorded ON complaint_communications FOR INSERT TO redress_service
    WITH CHECK (recorded_by = (SELECT scope.user_id()) AND EXISTS (SELECT FROM complaints c
                WHERE c.branch_id = complaint_communications.branch_id AND c.id = complaint_communications.complaint_id));
CREATE POLICY recorded ON complaint_evidence FOR INSERT TO redress_service
    WITH CHECK (recorded_by = (SELECT scope.user_id()) AND EXISTS (SELECT FROM complaints c
                WHERE c.branch_id = complaint_evidence.branch_id AND c.id = complaint_evidence.complaint_id));
CREATE POLICY recorded ON complaint_findings FOR INSERT TO redress_service
    WITH CHECK (recorded_by = (SELECT scope.user_id()) AND EXISTS (SELECT FROM complaints c
                WHERE c.branch_id = complaint_findings.branch_id AND c.id = complaint_findings.complaint_id));
CREATE POLICY recorded ON complaint_surveys FOR INSERT TO redress_service
    WITH CHECK (recorded_by = (SELECT scope.user_id()) AND EXISTS (SELECT FROM complaints c
                WHERE c.branch_id = complaint_surveys.branch_id AND c.id = complaint_surveys.complaint_id));
CREATE POLICY proposed ON complaint_plans FOR INSERT TO redress_service
    WITH CHECK (proposed_by = (SELECT scope.user_id()) AND EXISTS (SELECT FROM complaints c
                WHERE c.branch_id = complaint_plans.branch_id AND c.id = complaint_plans.complaint_id));
-- Approvals and rejections change a plan of a complaint the approver may change.
CREATE POLICY approved ON complaint_plans FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
           OR EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_plans.branch_id
                      AND c.id = complaint_plans.complaint_id AND c.department_id = ANY ((SELECT scope.department_ids())::uuid[])))
    WITH CHECK (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
           OR EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_plans.branch_id
                      AND c.id = complaint_plans.complaint_id AND c.department_id = ANY ((SELECT scope.department_ids())::uuid[])));
GRANT UPDATE (status, head_approved_by, head_approved_at, leadership_approved_by, leadership_approved_at,
              rejected_by, rejected_at, rejection_reason, regulator_reference) ON complaint_plans TO redress_service;
