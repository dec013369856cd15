-- Complaints: categories, routing rules, the complaint itself, hand-overs and its timeline.
--
-- Visibility (SPEC.md's role table): branch-wide roles (redress.wide_branch_ids) see every
-- complaint of their branches; handlers and department heads see the complaints of their
-- departments, those their departments collaborate on, and those they are personally responsible
-- for. Writes stay inside the writer's branch and, for department-scoped roles, inside their
-- departments. Everything attached to a complaint is visible exactly when the complaint is.

-- The category tree of a branch, seeded with the sources' categories for every branch.
CREATE TABLE categories (
    branch_id   uuid NOT NULL REFERENCES branches (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    parent_id   uuid,
    code        text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    active      boolean NOT NULL DEFAULT true,
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, code),
    FOREIGN KEY (branch_id, parent_id) REFERENCES categories (branch_id, id)
);

CREATE FUNCTION seed_categories(branch uuid) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO categories (branch_id, code, name)
    SELECT branch, c.code, c.name
      FROM (VALUES ('network_quality', 'Service and network quality'), ('billing', 'Tariff and billing'),
                   ('business_handling', 'Business handling'), ('product_quality', 'Product quality'),
                   ('service_attitude', 'Service attitude'), ('after_sales', 'After-sales'),
                   ('delivery', 'Delivery'), ('system_failure', 'System failure'),
                   ('policy_information', 'Policy and information'), ('other', 'Other')) AS c (code, name)
    ON CONFLICT DO NOTHING
$$;
CREATE FUNCTION seed_branch_categories() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM seed_categories(NEW.id);
    RETURN NEW;
END
$$;
CREATE TRIGGER branches_seed_categories AFTER INSERT ON branches
    FOR EACH ROW EXECUTE FUNCTION seed_branch_categories();
SELECT seed_categories(id) FROM branches;

-- Which department is responsible: the matching rule with the lowest position wins; a rule's
-- NULL channel, level or product matches any.
CREATE TABLE routing_rules (
    branch_id      uuid NOT NULL REFERENCES branches (id),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    position       integer NOT NULL DEFAULT 100,
    category_id    uuid NOT NULL,
    channel        text,
    level          smallint CHECK (level BETWEEN 1 AND 3),
    product        text,
    department_id  uuid NOT NULL,
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, category_id) REFERENCES categories (branch_id, id) ON DELETE CASCADE,
    FOREIGN KEY (branch_id, department_id) REFERENCES departments (branch_id, id) ON DELETE CASCADE
);
CREATE INDEX routing_rules_category ON routing_rules (branch_id, category_id, position);

-- Case numbers: <BRANCH CODE>-<YYYYMMDD in the branch's zone>-<serial>, unique within a branch.
CREATE SEQUENCE complaint_case_serial;

CREATE TABLE complaints (
    branch_id                uuid NOT NULL REFERENCES branches (id),
    id                       uuid NOT NULL DEFAULT gen_random_uuid(),
    case_number              text NOT NULL,
    channel                  text NOT NULL CHECK (channel IN ('phone', 'web', 'email', 'visit', 'sms', 'chat',
                                 'social_media', 'third_party', 'app', 'internal', 'institutional')),
    source                   text NOT NULL DEFAULT 'external' CHECK (source IN ('external', 'internal', 'institutional')),
    complainant_name         text CHECK (length(complainant_name) <= 200),
    complainant_phone        text CHECK (length(complainant_phone) <= 40),
    complainant_email        text CHECK (length(complainant_email) <= 320),
    complainant_address      text CHECK (length(complainant_address) <= 500),
    customer_type            text NOT NULL DEFAULT 'individual' CHECK (customer_type IN ('individual', 'enterprise',
                                 'government', 'public_institution', 'social_organisation')),
    customer_ref             text CHECK (length(customer_ref) <= 100),
    occurred_at              timestamptz,
    received_at              timestamptz NOT NULL DEFAULT now(),
    product                  text CHECK (length(product) <= 200),
    party                    text CHECK (length(party) <= 200),
    location                 text CHECK (length(location) <= 500),
    description              text NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
    desired_outcome          text CHECK (length(desired_outcome) <= 5000),
    category_id              uuid,
    level                    smallint CHECK (level BETWEEN 1 AND 3),
    nature                   text NOT NULL DEFAULT 'general' CHECK (nature IN ('general', 'major', 'repeat', 'invalid')),
    priority                 text NOT NULL DEFAULT 'general' CHECK (priority IN ('urgent', 'important', 'general')),
    repeat_of                uuid,
    department_id            uuid,
    collaborating_department_ids uuid[] NOT NULL DEFAULT '{}',
    responsible_user_id      uuid,
    status                   text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'acknowledged', 'graded',
                                 'assigned', 'investigating', 'plan_proposed', 'plan_head_approved', 'plan_approved',
                                 'implementing', 'result_fed_back', 'follow_up', 'awaiting_customer', 'closed', 'archived')),
    paused_from              text,
    reopen_count             integer NOT NULL DEFAULT 0,
    satisfaction             smallint CHECK (satisfaction BETWEEN 1 AND 10),
    resolution               text CHECK (length(resolution) <= 5000),
    closed_at                timestamptz,
    idempotency_key          text CHECK (length(idempotency_key) <= 200),
    idempotency_hash         bytea,
    created_by               uuid,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, case_number),
    UNIQUE (branch_id, idempotency_key),
    FOREIGN KEY (branch_id, category_id) REFERENCES categories (branch_id, id),
    FOREIGN KEY (branch_id, department_id) REFERENCES departments (branch_id, id),
    FOREIGN KEY (branch_id, responsible_user_id) REFERENCES users (branch_id, id),
    FOREIGN KEY (branch_id, repeat_of) REFERENCES complaints (branch_id, id),
    FOREIGN KEY (branch_id, created_by) REFERENCES users (branch_id, id)
);
-- The department view and the branch-wide lists, newest first, with keyset pagination.
CREATE INDEX complaints_department ON complaints (branch_id, department_id, received_at DESC, id DESC);
CREATE INDEX complaints_received ON complaints (branch_id, received_at DESC, id DESC);
CREATE INDEX complaints_status ON complaints (branch_id, status, received_at DESC);
CREATE INDEX complaints_responsible ON complaints (branch_id, responsible_user_id) WHERE responsible_user_id IS NOT NULL;
CREATE INDEX complaints_collaborators ON complaints USING gin (collaborating_department_ids);
-- Repeat detection: the same customer, the same category, recently.
CREATE INDEX complaints_customer ON complaints (branch_id, customer_ref, category_id, received_at DESC)
    WHERE customer_ref IS NOT NULL;

-- Collaborating departments must exist in the complaint's branch (an array has no foreign key).
CREATE FUNCTION check_complaint_collaborators() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (
        SELECT FROM unnest(NEW.collaborating_department_ids) AS wanted(id)
        WHERE NOT EXISTS (SELECT FROM departments d WHERE d.branch_id = NEW.branch_id AND d.id = wanted.id)
    ) THEN
        RAISE EXCEPTION 'a collaborating department does not exist in this branch'
            USING ERRCODE = 'foreign_key_violation', COLUMN = 'collaborating_department_ids',
                  CONSTRAINT = 'complaints_collaborating_department_ids_fkey', TABLE = 'complaints';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER complaints_collaborators_exist BEFORE INSERT OR UPDATE OF collaborating_department_ids ON complaints
    FOR EACH ROW EXECUTE FUNCTION check_complaint_collaborators();

-- Every change of a complaint, in order: who, when, what, and the values before and after.
CREATE TABLE complaint_events (
    branch_id     uuid NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    complaint_id  uuid NOT NULL,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id      uuid,
    actor_roles   text[] NOT NULL DEFAULT '{}',
    kind          text NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    before        jsonb,
    after         jsonb,
    note          text CHECK (length(note) <= 5000),
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id)
);
CREATE INDEX complaint_events_complaint ON complaint_events (branch_id, complaint_id, id);

-- Each hand-over of responsibility: from, to, by whom, when and why.
CREATE TABLE complaint_handovers (
    branch_id            uuid NOT NULL,
    id                   uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id         uuid NOT NULL,
    from_department_id   uuid,
    to_department_id     uuid,
    from_user_id         uuid,
    to_user_id           uuid,
    by_user_id           uuid,
    at                   timestamptz NOT NULL DEFAULT now(),
    reason               text CHECK (length(reason) <= 2000),
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id)
);
CREATE INDEX complaint_handovers_complaint ON complaint_handovers (branch_id, complaint_id, at);

ALTER TABLE categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE categories FORCE ROW LEVEL SECURITY;
ALTER TABLE routing_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE routing_rules FORCE ROW LEVEL SECURITY;
ALTER TABLE complaints ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaints FORCE ROW LEVEL SECURITY;
ALTER TABLE complaint_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_events FORCE ROW LEVEL SECURITY;
ALTER TABLE complaint_handovers ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_handovers FORCE ROW LEVEL SECURITY;

CREATE POLICY platform ON categories TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON routing_rules TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON complaints TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON complaint_events TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON complaint_handovers TO redress_platform USING (true) WITH CHECK (true);

-- Categories and routing rules are the branch's configuration: everyone in it reads them,
-- admins change them.
CREATE POLICY visible ON categories FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY administered ON categories FOR ALL TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY visible ON routing_rules FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY administered ON routing_rules FOR ALL TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));

-- A department belongs to one branch (composite foreign keys), so "a wide branch, one of my
-- departments, a collaboration of one of them, or mine personally" needs no extra branch test.
CREATE POLICY visible ON complaints FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
           OR department_id = ANY ((SELECT scope.department_ids())::uuid[])
           OR collaborating_department_ids && (SELECT scope.department_ids())
           OR (responsible_user_id = (SELECT scope.user_id()) AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])));
-- Intake and changes: branch-wide roles within their branches, department-scoped roles within
-- their departments (so they cannot hand a complaint to another department themselves). Auditors, executives and bots read only (checked by the service by role too).
CREATE POLICY intake ON complaints FOR INSERT TO redress_service
    WITH CHECK (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
                OR department_id = ANY ((SELECT scope.department_ids())::uuid[]));
CREATE POLICY handling ON complaints FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
           OR department_id = ANY ((SELECT scope.department_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
                OR department_id = ANY ((SELECT scope.department_ids())::uuid[]));

-- What hangs off a complaint is visible exactly when the complaint is. Entries are written by
-- the service in the transaction that changes the complaint (even the statement that creates it,
-- which a sub-select could not yet see), always in the caller's branches and in their own name.
CREATE POLICY visible ON complaint_events FOR SELECT TO redress_service
    USING (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_events.branch_id AND c.id = complaint_events.complaint_id));
CREATE POLICY recorded ON complaint_events FOR INSERT TO redress_service
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND actor_id = (SELECT scope.user_id()));
CREATE POLICY visible ON complaint_handovers FOR SELECT TO redress_service
    USING (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_handovers.branch_id AND c.id = complaint_handovers.complaint_id));
CREATE POLICY recorded ON complaint_handovers FOR INSERT TO redress_service
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]) AND by_user_id = (SELECT scope.user_id()));

GRANT SELECT ON categories, routing_rules TO redress_service;
GRANT INSERT, UPDATE, DELETE ON categories, routing_rules TO redress_service;
GRANT SELECT, INSERT, UPDATE ON complaints TO redress_service;
GRANT USAGE ON SEQUENCE complaint_case_serial TO redress_service;
-- The timeline and hand-overs are append-only for the service.
GRANT SELECT, INSERT ON complaint_events, complaint_handovers TO redress_service;
