-- Messages to complainants: a confirmation once the complaint is recorded, an initial reply once it
-- is graded, progress updates, the result, and later the survey and the review's answers. The
-- service renders each from its branch's template for the event, the complainant's channel and
-- language (`message_templates`, else the built-in wording), writes it to the complaint's
-- communications log with personal data and the access code masked, and puts the message itself,
-- sealed with the personal-data key (AES-256-GCM, bound to branch and message), in an outbox
-- (`complainant_messages`) in the same transaction.
--
-- The branch's notification gateway, a webhook of kind `gateway` at an address the operator allows
-- (GATEWAY_HOSTS), receives each message as a signed JSON post (to, channel, language, subject,
-- body), with the same lease, retry with backoff and dead-letter as pages; SMS, email and push
-- providers sit behind it. A message is `unsent` when the complainant has no address on the
-- channel (at once) or the branch has no active gateway when it falls due (at its claim), so staff
-- know to phone. The sealed box is dropped once a message is settled. Service callers write a
-- message only as new (pending or unsent); its delivery is the scheduler's functions' alone.
--
-- On a distributed schema the statements below run one at a time against shards the migration
-- itself distributes, so the migration asks Citus for sequential shard DDL (a plain setting
-- elsewhere), and adds each foreign key in a statement of its own (docs/scaling.md).
--
-- The confirmation's delivery meets the acknowledgement milestone, the initial reply's the initial
-- reply milestone and a progress update's the preliminary feedback milestone (as a person's logged
-- call does, 0006): `scheduler.record_message` adds the milestone to the open complaint, whose
-- trigger stamps the time, and marks the complaint's schedule stale for the scheduler to
-- recompute, waking it from the delivering connection, not from a trigger (docs/scaling.md).
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- A gateway is a webhook of its branch, not of a recipient: one active per branch.
ALTER TABLE webhooks ADD COLUMN kind text NOT NULL DEFAULT 'pages' CHECK (kind IN ('pages', 'gateway'));
ALTER TABLE webhooks ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_recipient CHECK ((kind = 'pages') = (user_id IS NOT NULL));
CREATE UNIQUE INDEX webhooks_one_gateway ON webhooks (branch_id) WHERE kind = 'gateway' AND active;
GRANT SELECT (kind) ON webhooks TO redress_service;
GRANT INSERT (kind) ON webhooks TO redress_service;

-- A branch's own wording for an event on a channel in a language; placeholders `{{name}}` are
-- checked by the service when a template is saved.
CREATE TABLE message_templates (
    branch_id   uuid NOT NULL,
    event       text NOT NULL CHECK (event IN ('received', 'graded', 'progress_update', 'result', 'survey',
                                               'review_received', 'review_decided')),
    channel     text NOT NULL CHECK (channel IN ('sms', 'email', 'push', 'online')),
    language    text NOT NULL CHECK (language IN ('zh-Hans', 'zh-Hant', 'en')),
    subject     text CHECK (length(subject) BETWEEN 1 AND 200),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    updated_by  uuid NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, event, channel, language)
);
SELECT public.distribute_by_branch('public.message_templates');
ALTER TABLE message_templates ADD CONSTRAINT message_templates_branch FOREIGN KEY (branch_id) REFERENCES branches (id);
ALTER TABLE message_templates ADD CONSTRAINT message_templates_updated_by FOREIGN KEY (branch_id, updated_by) REFERENCES users (branch_id, id);

-- What every message of the branch may name: a contact for the complainant and the address of
-- the public progress page.
CREATE TABLE message_settings (
    branch_id   uuid NOT NULL PRIMARY KEY,
    contact     text CHECK (length(contact) BETWEEN 1 AND 200),
    public_url  text CHECK (public_url ~ '^https?://[^\s]+$' AND length(public_url) <= 500),
    updated_by  uuid NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
SELECT public.distribute_by_branch('public.message_settings');
ALTER TABLE message_settings ADD CONSTRAINT message_settings_branch FOREIGN KEY (branch_id) REFERENCES branches (id);
ALTER TABLE message_settings ADD CONSTRAINT message_settings_updated_by FOREIGN KEY (branch_id, updated_by) REFERENCES users (branch_id, id);
-- Changes of what complainants are told are in the audit trail like other configuration.
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON message_templates
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('message_templates');
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON message_settings
    FOR EACH ROW EXECUTE FUNCTION audit.record_change('message_settings');

ALTER TABLE message_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_templates FORCE ROW LEVEL SECURITY;
ALTER TABLE message_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_settings FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON message_templates TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY platform ON message_settings TO redress_platform USING (true) WITH CHECK (true)$$);
-- Everyone of the branch renders them; its admins write them.
SELECT public.scoped_policy($$CREATE POLICY readable ON message_templates FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY readable ON message_settings FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[]))$$);
SELECT public.scoped_policy($$CREATE POLICY administered ON message_templates FOR ALL TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]) AND updated_by = (SELECT scope.user_id()))$$);
SELECT public.scoped_policy($$CREATE POLICY administered ON message_settings FOR ALL TO redress_service
    USING (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]))
    WITH CHECK (branch_id = ANY ((SELECT scope.admin_branch_ids())::uuid[]) AND updated_by = (SELECT scope.user_id()))$$);
GRANT SELECT, INSERT, UPDATE, DELETE ON message_templates, message_settings TO redress_service;

-- The outbox of messages to complainants, and every attempt to deliver one (the attempts are the
-- delivery functions' record, for operators; the service reads each message's count and last error).
CREATE TABLE complainant_messages (
    branch_id         uuid NOT NULL,
    id                uuid NOT NULL,
    complaint_id      uuid NOT NULL,
    event             text NOT NULL CHECK (event IN ('received', 'graded', 'progress_update', 'result', 'survey',
                                                     'review_received', 'review_decided')),
    channel           text NOT NULL CHECK (channel IN ('sms', 'email', 'push', 'online')),
    language          text NOT NULL CHECK (language IN ('zh-Hans', 'zh-Hant', 'en')),
    recipient         text CHECK (length(recipient) <= 320),
    communication_id  uuid NOT NULL,
    webhook_id        uuid,
    milestone         text,
    sealed_key_id     text,
    sealed_box        bytea,
    state             text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'unsent')),
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   timestamptz,
    last_error        text CHECK (length(last_error) <= 2000),
    created_by        uuid NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    delivered_at      timestamptz,
    finished_at       timestamptz,
    case_department_id                uuid,
    case_collaborating_department_ids uuid[] NOT NULL DEFAULT '{}',
    case_responsible_user_id          uuid,
    case_key          text NOT NULL GENERATED ALWAYS AS
        (public.case_visibility_key(case_department_id, case_collaborating_department_ids, case_responsible_user_id)) STORED,
    PRIMARY KEY (branch_id, id),
    -- The milestone a delivery meets is the event's, or none (a collaborating department's update).
    CHECK (milestone IS NULL OR (event, milestone) IN (('received', 'acknowledge'), ('graded', 'initial_reply'),
                                                        ('progress_update', 'preliminary_feedback'))),
    CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL)),
    CHECK ((state = 'pending') = (sealed_box IS NOT NULL AND sealed_key_id IS NOT NULL)),
    CHECK ((state = 'pending') = (finished_at IS NULL)),
    CHECK ((state = 'delivered') = (delivered_at IS NOT NULL AND webhook_id IS NOT NULL))
);
SELECT public.distribute_by_branch('public.complainant_messages');
ALTER TABLE complainant_messages ADD CONSTRAINT complainant_messages_complaint
    FOREIGN KEY (branch_id, complaint_id) REFERENCES complaints (branch_id, id);
ALTER TABLE complainant_messages ADD CONSTRAINT complainant_messages_communication
    FOREIGN KEY (branch_id, communication_id) REFERENCES complaint_communications (branch_id, id);
ALTER TABLE complainant_messages ADD CONSTRAINT complainant_messages_webhook
    FOREIGN KEY (branch_id, webhook_id) REFERENCES webhooks (branch_id, id);
ALTER TABLE complainant_messages ADD CONSTRAINT complainant_messages_created_by
    FOREIGN KEY (branch_id, created_by) REFERENCES users (branch_id, id);
CREATE INDEX complainant_messages_complaint ON complainant_messages (branch_id, complaint_id, created_at);
CREATE INDEX complainant_messages_due ON complainant_messages (branch_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX complainant_messages_written ON complainant_messages (branch_id, created_at);
CREATE INDEX complainant_messages_due_anywhere ON complainant_messages (next_attempt_at) WHERE state = 'pending';

CREATE TABLE message_attempts (
    branch_id     uuid NOT NULL,
    message_id    uuid NOT NULL,
    attempt       integer NOT NULL CHECK (attempt >= 1),
    started_at    timestamptz NOT NULL,
    duration_ms   integer NOT NULL,
    status_code   integer,
    error         text CHECK (length(error) <= 2000),
    PRIMARY KEY (branch_id, message_id, attempt)
);
SELECT public.distribute_by_branch('public.message_attempts');
ALTER TABLE message_attempts ADD CONSTRAINT message_attempts_message
    FOREIGN KEY (branch_id, message_id) REFERENCES complainant_messages (branch_id, id);

-- The messages carry their complaint's visibility like its other rows (0033), and follow it.
CREATE OR REPLACE FUNCTION public.case_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['complaint_events', 'complaint_handovers', 'complaint_communications', 'complaint_evidence',
                       'complaint_findings', 'complaint_surveys', 'complaint_pauses', 'complaint_plans',
                       'escalations', 'pages', 'follow_ups', 'complainant_messages'] $$;
ALTER TABLE complainant_messages ADD CONSTRAINT complainant_messages_case_visibility FOREIGN KEY (branch_id, complaint_id, case_key)
    REFERENCES complaints (branch_id, id, visibility_key) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE complainant_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE complainant_messages FORCE ROW LEVEL SECURITY;
ALTER TABLE message_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_attempts FORCE ROW LEVEL SECURITY;
SELECT public.scoped_policy($$CREATE POLICY platform ON complainant_messages TO redress_platform USING (true) WITH CHECK (true)$$);
SELECT public.scoped_policy($$CREATE POLICY platform ON message_attempts TO redress_platform USING (true) WITH CHECK (true)$$);
-- Whoever sees the case sees what its complainant was sent, in the form of the case's other rows (0033).
SELECT public.scoped_policy($$CREATE POLICY visible ON complainant_messages FOR SELECT TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_branch_ids())::uuid[])
                OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                OR case_collaborating_department_ids && (SELECT scope.department_ids())
                OR case_responsible_user_id = (SELECT scope.user_id())))$$);
-- A message is written by whoever may work on the case, as themselves, and only as new.
SELECT public.scoped_policy($$CREATE POLICY recorded ON complainant_messages FOR INSERT TO redress_service
    WITH CHECK (created_by = (SELECT scope.user_id()) AND state IN ('pending', 'unsent') AND attempts = 0
                AND webhook_id IS NULL
                AND branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                     OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])
                     OR case_collaborating_department_ids && (SELECT scope.department_ids())
                     OR case_responsible_user_id = (SELECT scope.user_id())))$$);
SELECT public.scoped_policy($$CREATE POLICY follows_its_case ON complainant_messages FOR UPDATE TO redress_service
    USING (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
           AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])))
    WITH CHECK (branch_id = ANY ((SELECT scope.branch_ids())::uuid[])
                AND (branch_id = ANY ((SELECT scope.case_write_branch_ids())::uuid[])
                     OR case_department_id = ANY ((SELECT scope.department_ids())::uuid[])))$$);
-- The sealed box is the delivery functions' alone.
GRANT SELECT (branch_id, id, complaint_id, event, channel, language, recipient, communication_id, webhook_id, milestone, state,
              attempts, next_attempt_at, last_error, created_by, created_at, delivered_at, finished_at,
              case_department_id, case_collaborating_department_ids, case_responsible_user_id, case_key)
    ON complainant_messages TO redress_service;
GRANT INSERT (branch_id, id, complaint_id, event, channel, language, recipient, communication_id, milestone, sealed_key_id,
              sealed_box, state, next_attempt_at, last_error, created_by, finished_at,
              case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    ON complainant_messages TO redress_service;
GRANT UPDATE (case_department_id, case_collaborating_department_ids, case_responsible_user_id) ON complainant_messages TO redress_service;

-- Claims up to `batch` due messages of one branch for `lease_seconds` (as `claim_deliveries`), for
-- the branch's active gateway, which each claimed message records. Without one, the due messages
-- are settled `unsent` (`no_gateway`) instead, so that staff reach their complainants themselves.
CREATE FUNCTION scheduler.claim_messages(branch uuid, batch integer, lease_seconds integer)
    RETURNS TABLE (branch_id uuid, id uuid, attempt integer, url text, secret text, complaint_id uuid, case_number text,
                   event text, channel text, language text, sealed_key_id text, sealed_box bytea)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    gateway public.webhooks;
    due_ids uuid[];
BEGIN
    SELECT w.* INTO gateway FROM public.webhooks w WHERE w.branch_id = branch AND w.kind = 'gateway' AND w.active;
    SELECT coalesce(array_agg(d.id), '{}') INTO due_ids FROM (
        SELECT m.id FROM public.complainant_messages m
         WHERE m.branch_id = branch AND m.state = 'pending' AND m.next_attempt_at <= now()
         ORDER BY m.next_attempt_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED) d;
    IF gateway.id IS NULL THEN
        UPDATE public.complainant_messages m
           SET state = 'unsent', last_error = 'no_gateway', next_attempt_at = NULL, finished_at = now(),
               sealed_box = NULL, sealed_key_id = NULL
         WHERE m.branch_id = branch AND m.id = ANY (due_ids);
        RETURN;
    END IF;
    RETURN QUERY
    WITH claimed AS (
        UPDATE public.complainant_messages m
           SET attempts = m.attempts + 1, next_attempt_at = now() + make_interval(secs => lease_seconds), webhook_id = gateway.id
         WHERE m.branch_id = branch AND m.id = ANY (due_ids)
        RETURNING m.branch_id, m.id, m.attempts, m.complaint_id, m.event, m.channel, m.language, m.sealed_key_id, m.sealed_box
    )
    SELECT c.branch_id, c.id, c.attempts, gateway.url, gateway.secret, c.complaint_id, k.case_number, c.event, c.channel,
           c.language, c.sealed_key_id, c.sealed_box
      FROM claimed c
      JOIN public.complaints k ON k.branch_id = branch AND k.id = c.complaint_id;
END
$$;

-- Records one attempt of a claimed message (as `record_delivery`). A delivered message meets its
-- milestone on its complaint while the complaint is open, and the scheduler is woken to
-- recompute the complaint's schedule. The sealed box goes once the message is settled.
CREATE FUNCTION scheduler.record_message(branch uuid, message uuid, attempt_number integer, started timestamptz,
                                         duration_ms integer, status_code integer, error text, retry_at timestamptz)
    RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    delivered boolean := status_code BETWEEN 200 AND 299;
    outcome text;
    settled_complaint uuid;
    met text;
BEGIN
    INSERT INTO public.message_attempts (branch_id, message_id, attempt, started_at, duration_ms, status_code, error)
    SELECT branch, message, attempt_number, started, duration_ms, status_code, left(error, 2000)
     WHERE EXISTS (SELECT FROM public.complainant_messages m WHERE m.branch_id = branch AND m.id = message)
    ON CONFLICT DO NOTHING;
    UPDATE public.complainant_messages m
       SET state = CASE WHEN delivered THEN 'delivered' WHEN retry_at IS NULL THEN 'dead' ELSE 'pending' END,
           next_attempt_at = CASE WHEN delivered THEN NULL ELSE retry_at END,
           last_error = CASE WHEN delivered THEN NULL ELSE left(coalesce(error, 'HTTP ' || status_code), 2000) END,
           delivered_at = CASE WHEN delivered THEN now() END,
           finished_at = CASE WHEN delivered OR retry_at IS NULL THEN now() END,
           sealed_box = CASE WHEN delivered OR retry_at IS NULL THEN NULL ELSE m.sealed_box END,
           sealed_key_id = CASE WHEN delivered OR retry_at IS NULL THEN NULL ELSE m.sealed_key_id END
     WHERE m.branch_id = branch AND m.id = message AND m.state = 'pending' AND m.attempts = attempt_number
    RETURNING m.state, m.complaint_id, m.milestone INTO outcome, settled_complaint, met;
    IF outcome IS NULL THEN
        RETURN 'superseded';
    END IF;
    IF outcome = 'delivered' AND met IS NOT NULL THEN
        UPDATE public.complaints c
           SET sla_completed = (SELECT array_agg(DISTINCT x ORDER BY x) FROM unnest(c.sla_completed || met) x), sla_stale = true
         WHERE c.branch_id = branch AND c.id = settled_complaint AND NOT (met = ANY (c.sla_completed))
           AND c.status NOT IN ('closed', 'archived');
        IF FOUND THEN
            PERFORM pg_notify('redress_deadlines', 'sla:' || branch::text);
        END IF;
    END IF;
    RETURN outcome;
END
$$;

-- Branches with messages due now among the `batch` due longest, the one waiting longest first
-- (as `scheduler.due_branches` lists them for the other kinds of work).
CREATE FUNCTION scheduler.due_message_branches(batch integer) RETURNS TABLE (branch_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT q.branch_id FROM (
        SELECT m.branch_id, m.next_attempt_at AS due FROM public.complainant_messages m
         WHERE m.state = 'pending' AND m.next_attempt_at <= now() ORDER BY m.next_attempt_at LIMIT batch) q
     GROUP BY q.branch_id ORDER BY min(q.due);
END
$$;

-- The earliest pending page delivery or message, for the delivery service's sleep.
CREATE OR REPLACE FUNCTION scheduler.next_delivery() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
    SELECT least((SELECT min(next_attempt_at) FROM public.page_deliveries WHERE state = 'pending'),
                 (SELECT min(next_attempt_at) FROM public.complainant_messages WHERE state = 'pending'))
$$;

REVOKE ALL ON FUNCTION scheduler.due_message_branches(integer), scheduler.claim_messages(uuid, integer, integer),
                       scheduler.record_message(uuid, uuid, integer, timestamptz, integer, integer, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scheduler.due_message_branches(integer), scheduler.claim_messages(uuid, integer, integer),
                          scheduler.record_message(uuid, uuid, integer, timestamptz, integer, integer, text, timestamptz)
    TO redress_scheduler;
