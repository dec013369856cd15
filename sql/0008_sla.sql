-- SLA policies, working calendars, pauses, and each complaint's computed deadlines.
--
-- Policies are data: each row holds one policy document (which complaints it covers, how it counts
-- time, milestone targets, escalation ladder; see RedressCore/SLA/SLAPolicy.swift). Every branch
-- starts with the sources' standard policy in calendar hours and an office-hours calendar. The
-- service computes deadlines in Swift (SLAClock) and stores them with their explanation, the next
-- due time and the next escalation for the scheduler.

CREATE TABLE branch_calendars (
    branch_id      uuid PRIMARY KEY REFERENCES branches (id),
    hours          jsonb NOT NULL,
    holidays       date[] NOT NULL DEFAULT '{}',
    make_up_days   date[] NOT NULL DEFAULT '{}',
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sla_policies (
    branch_id   uuid NOT NULL REFERENCES branches (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    document    jsonb NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, id),
    UNIQUE (branch_id, name)
);

CREATE FUNCTION seed_sla(branch uuid) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO branch_calendars (branch_id, hours)
    VALUES (branch, '{"2": [[540, 720], [780, 1080]], "3": [[540, 720], [780, 1080]], "4": [[540, 720], [780, 1080]],
                      "5": [[540, 720], [780, 1080]], "6": [[540, 720], [780, 1080]]}')
    ON CONFLICT DO NOTHING;
    INSERT INTO sla_policies (branch_id, name, document)
    VALUES (branch, 'Standard', '{"counting": "calendar_hours",
            "milestoneHours": {"acknowledge": 24, "initial_reply": 48, "preliminary_feedback": 72},
            "resultHours": {"urgent": 24, "important": 48, "general": 72},
            "ladder": [{"tier": 1, "afterHours": 24, "recipients": ["department_head", "bots"]},
                       {"tier": 2, "afterHours": 48, "recipients": ["branch_manager", "complaint_office", "bots"]},
                       {"tier": 3, "afterHours": 72, "recipients": ["executives", "bots"]}]}')
    ON CONFLICT DO NOTHING
$$;
CREATE FUNCTION seed_branch_sla() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM seed_sla(NEW.id);
    RETURN NEW;
END
$$;
CREATE TRIGGER branches_seed_sla AFTER INSERT ON branches FOR EACH ROW EXECUTE FUNCTION seed_branch_sla();
SELECT seed_sla(id) FROM branches;

-- Waiting for the customer: the SLA clock stands still from started_at to ended_at.
CREATE TABLE complaint_pauses (
    branch_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    complaint_id  uuid NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz,
    PRIMARY KEY (branch_id, id),
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX complaint_pauses_open ON complaint_pauses (branch_id, complaint_id) WHERE ended_at IS NULL;

ALTER TABLE complaints
    ADD COLUMN sla_policy_id uuid,
    ADD COLUMN sla_deadlines jsonb,
    ADD COLUMN sla_completed text[] NOT NULL DEFAULT '{}',
    ADD COLUMN escalated_tiers smallint[] NOT NULL DEFAULT '{}',
    ADD COLUMN next_escalation_tier smallint,
    ADD COLUMN next_escalation_at timestamptz;
-- The scheduler's work list: open complaints by their next escalation time.
CREATE INDEX complaints_next_escalation ON complaints (next_escalation_at) WHERE next_escalation_at IS NOT NULL;

ALTER TABLE branch_calendars ENABLE ROW LEVEL SECURITY;
ALTER TABLE branch_calendars FORCE ROW LEVEL SECURITY;
ALTER TABLE sla_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_policies FORCE ROW LEVEL SECURITY;
ALTER TABLE complaint_pauses ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_pauses FORCE ROW LEVEL SECURITY;
CREATE POLICY platform ON branch_calendars TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON sla_policies TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY platform ON complaint_pauses TO redress_platform USING (true) WITH CHECK (true);
CREATE POLICY visible ON branch_calendars FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY administered ON branch_calendars FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY visible ON sla_policies FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]));
CREATE POLICY administered ON sla_policies FOR ALL TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]));
CREATE POLICY visible ON complaint_pauses FOR SELECT TO redress_service
    USING (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id));
CREATE POLICY recorded ON complaint_pauses FOR INSERT TO redress_service
    WITH CHECK (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id
                        AND (c.branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
                             OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))));
CREATE POLICY ended ON complaint_pauses FOR UPDATE TO redress_service
    USING (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id
                   AND (c.branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
                        OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))))
    WITH CHECK (EXISTS (SELECT FROM complaints c WHERE c.branch_id = complaint_pauses.branch_id AND c.id = complaint_pauses.complaint_id
                        AND (c.branch_id = ANY ((SELECT scope.wide_branch_ids())::uuid[])
                             OR c.department_id = ANY ((SELECT scope.department_ids())::uuid[]))));

GRANT SELECT, UPDATE (hours, holidays, make_up_days, updated_at) ON branch_calendars TO redress_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON sla_policies TO redress_service;
GRANT SELECT, INSERT, UPDATE (ended_at) ON complaint_pauses TO redress_service;
