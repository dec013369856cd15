-- The last trigger functions that read TG_TABLE_NAME take their table's name as an argument
-- instead: on a Citus worker a trigger fires on a shard, whose name is the table's with a suffix
-- (docs/scaling.md).
CREATE OR REPLACE FUNCTION scheduler.mark_sla_stale() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    branch uuid;
BEGIN
    IF TG_ARGV[0] IS NULL THEN
        RAISE EXCEPTION 'scheduler.mark_sla_stale needs the name of its table as its argument';
    ELSIF TG_ARGV[0] = 'branches' THEN
        branch := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        branch := OLD.branch_id;
    ELSE
        branch := NEW.branch_id;
    END IF;
    UPDATE public.complaints SET sla_stale = true
     WHERE branch_id = branch AND status NOT IN ('closed', 'archived') AND NOT sla_stale;
    PERFORM pg_notify('redress_deadlines', 'sla:' || branch::text);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION public.refuse_unrevoking() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
        RAISE EXCEPTION 'a revocation cannot be undone or changed'
            USING ERRCODE = 'insufficient_privilege', TABLE = coalesce(TG_ARGV[0], ''), COLUMN = 'revoked_at';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER sla_policies_changed AFTER INSERT OR DELETE OR UPDATE ON public.sla_policies
    FOR EACH ROW EXECUTE FUNCTION scheduler.mark_sla_stale('sla_policies');
CREATE OR REPLACE TRIGGER branch_calendars_changed AFTER UPDATE ON public.branch_calendars
    FOR EACH ROW EXECUTE FUNCTION scheduler.mark_sla_stale('branch_calendars');
CREATE OR REPLACE TRIGGER branches_time_zone_changed AFTER UPDATE OF time_zone ON public.branches
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION scheduler.mark_sla_stale('branches');
CREATE OR REPLACE TRIGGER sessions_revocation_final BEFORE UPDATE OF revoked_at ON public.sessions
    FOR EACH ROW EXECUTE FUNCTION refuse_unrevoking('sessions');
CREATE OR REPLACE TRIGGER api_keys_revocation_final BEFORE UPDATE OF revoked_at ON public.api_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_unrevoking('api_keys');
