-- What a page's recipient records on it — delivery, acknowledgement, a relayed acknowledgement, a
-- snooze, a hand-off — only the recipient records, once. Whoever else may update a page (those
-- who may change its complaint keep its copy of the case's visibility, 0033) cannot set or clear
-- these, and nobody sets them back to empty to do them again. The owner's functions (the
-- scheduler's deliveries, a relayed acknowledgement, a hand-off) are the owner's and pass. A
-- person's own acknowledgement names them; a hand-off happens while the escalation still waits.
-- Whether an escalation still waits for a person's acknowledgement (whoever may see it or not).
CREATE FUNCTION public.escalation_waits(branch uuid, escalation uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    RETURN EXISTS (SELECT FROM public.escalations e WHERE e.branch_id = branch AND e.id = escalation AND e.ack_due_at IS NOT NULL);
END
$$;
REVOKE ALL ON FUNCTION public.escalation_waits(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.escalation_waits(uuid, uuid) TO redress_service;

CREATE FUNCTION public.guard_recipient_marks() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF pg_has_role('redress_platform', 'MEMBER') THEN
        RETURN NEW;
    END IF;
    IF (NEW.delivered_at, NEW.acknowledged_by, NEW.relayed_for, NEW.snoozed_until, NEW.handed_to, NEW.handed_at)
       IS DISTINCT FROM (OLD.delivered_at, OLD.acknowledged_by, OLD.relayed_for, OLD.snoozed_until, OLD.handed_to, OLD.handed_at) THEN
        IF OLD.recipient_user_id IS DISTINCT FROM scope.user_id() THEN
            RAISE EXCEPTION 'only its recipient records what became of a page'
                USING ERRCODE = 'insufficient_privilege', TABLE = 'pages';
        END IF;
        IF (OLD.delivered_at IS NOT NULL AND NEW.delivered_at IS DISTINCT FROM OLD.delivered_at)
           OR (OLD.acknowledged_by IS NOT NULL AND NEW.acknowledged_by IS DISTINCT FROM OLD.acknowledged_by)
           OR (OLD.relayed_for IS NOT NULL AND NEW.relayed_for IS DISTINCT FROM OLD.relayed_for)
           OR (OLD.snoozed_until IS NOT NULL AND NEW.snoozed_until IS DISTINCT FROM OLD.snoozed_until)
           OR (OLD.handed_to IS NOT NULL AND NEW.handed_to IS DISTINCT FROM OLD.handed_to)
           OR (OLD.handed_at IS NOT NULL AND NEW.handed_at IS DISTINCT FROM OLD.handed_at) THEN
            RAISE EXCEPTION 'what became of a page is recorded once'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'pages_marks_recorded_once', TABLE = 'pages';
        END IF;
        IF NEW.acknowledged_by IS DISTINCT FROM OLD.acknowledged_by AND NEW.acknowledged_by IS DISTINCT FROM OLD.recipient_user_id THEN
            RAISE EXCEPTION 'a person acknowledges their own page'
                USING ERRCODE = 'insufficient_privilege', TABLE = 'pages';
        END IF;
        IF NEW.handed_to IS DISTINCT FROM OLD.handed_to AND NOT public.escalation_waits(OLD.branch_id, OLD.escalation_id) THEN
            RAISE EXCEPTION 'a page is handed on only while its escalation waits for an acknowledgement'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'pages_handed_while_waiting', TABLE = 'pages';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION public.guard_recipient_marks() FROM PUBLIC;
CREATE TRIGGER pages_marked_by_recipient BEFORE UPDATE ON public.pages
    FOR EACH ROW EXECUTE FUNCTION public.guard_recipient_marks();
