-- Functions that query tables and take parameters are PL/pgSQL: Citus cannot plan parameterised
-- SQL-language functions over its tables ("could not create distributed plan", docs/scaling.md).
-- Column names win over parameter names, as they did in SQL; bodies are otherwise unchanged, but
-- for the password upgrade, which finds the branch by its code first, as sign-in does (0029).

CREATE OR REPLACE FUNCTION audit.append(branch uuid, action text, entity text, entity_id uuid, before jsonb, after jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
#variable_conflict use_column
BEGIN
    INSERT INTO public.audit_log (branch_id, actor_id, actor_roles, request_id, action, entity, entity_id, before, after)
    VALUES (branch, scope.user_id(), scope.roles(), scope.request_id(), action, entity, entity_id, before, after);
END
$function$;

CREATE OR REPLACE FUNCTION auth.upgrade_password_hash(branch_code text, login text, current_hash text, new_hash text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
#variable_conflict use_column
DECLARE
    branch uuid;
    upgraded integer;
BEGIN
    SELECT b.id INTO branch FROM public.branches b WHERE b.code = upgrade_password_hash.branch_code;
    UPDATE public.users u SET password_hash = upgrade_password_hash.new_hash
     WHERE u.branch_id = branch AND u.login = upgrade_password_hash.login AND u.active
       AND u.password_hash = upgrade_password_hash.current_hash;
    GET DIAGNOSTICS upgraded = ROW_COUNT;
    RETURN upgraded = 1;
END
$function$;

CREATE OR REPLACE FUNCTION scheduler.record_delivery(branch uuid, delivery uuid, attempt_number integer, started timestamp with time zone, duration_ms integer, status_code integer, error text, retry_at timestamp with time zone)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
#variable_conflict use_column
DECLARE
    outcome text;
BEGIN
    WITH attempt AS (
        INSERT INTO public.delivery_attempts (branch_id, delivery_id, attempt, started_at, duration_ms, status_code, error)
        VALUES (branch, delivery, attempt_number, started, duration_ms, status_code, left(error, 2000))
        ON CONFLICT DO NOTHING
    ), settled AS (
        UPDATE public.page_deliveries d
           SET state = CASE WHEN status_code BETWEEN 200 AND 299 THEN 'delivered' WHEN retry_at IS NULL THEN 'dead' ELSE 'pending' END,
               next_attempt_at = CASE WHEN status_code BETWEEN 200 AND 299 THEN NULL ELSE retry_at END,
               last_error = CASE WHEN status_code BETWEEN 200 AND 299 THEN NULL
                                 ELSE left(coalesce(error, 'HTTP ' || status_code), 2000) END,
               finished_at = CASE WHEN status_code BETWEEN 200 AND 299 OR retry_at IS NULL THEN now() END
         WHERE d.branch_id = branch AND d.id = delivery AND d.state = 'pending' AND d.attempts = attempt_number
        RETURNING d.state
    )
    SELECT coalesce((SELECT state FROM settled), 'superseded') INTO outcome;
    RETURN outcome;
END
$function$;

CREATE OR REPLACE FUNCTION public.seed_categories(branch uuid)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
#variable_conflict use_column
BEGIN
    INSERT INTO public.categories (branch_id, code, name)
    SELECT branch, c.code, c.name
      FROM (VALUES ('network_quality', 'Service and network quality'), ('billing', 'Tariff and billing'),
                   ('business_handling', 'Business handling'), ('product_quality', 'Product quality'),
                   ('service_attitude', 'Service attitude'), ('after_sales', 'After-sales'),
                   ('delivery', 'Delivery'), ('system_failure', 'System failure'),
                   ('policy_information', 'Policy and information'), ('other', 'Other')) AS c (code, name)
    ON CONFLICT DO NOTHING;
END
$function$;

CREATE OR REPLACE FUNCTION public.seed_sla(branch uuid)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
#variable_conflict use_column
BEGIN
    INSERT INTO public.branch_calendars (branch_id, hours)
    VALUES (branch, '{"2": [[540, 720], [780, 1080]], "3": [[540, 720], [780, 1080]], "4": [[540, 720], [780, 1080]],
                      "5": [[540, 720], [780, 1080]], "6": [[540, 720], [780, 1080]]}')
    ON CONFLICT DO NOTHING;
    INSERT INTO public.sla_policies (branch_id, name, document)
    VALUES (branch, 'Standard', '{"counting": "calendar_hours",
            "milestoneHours": {"acknowledge": 24, "initial_reply": 48, "preliminary_feedback": 72},
            "resultHours": {"urgent": 24, "important": 48, "general": 72},
            "ladder": [{"tier": 1, "afterHours": 24, "recipients": ["department_head", "bots"]},
                       {"tier": 2, "afterHours": 48, "recipients": ["branch_manager", "complaint_office", "bots"]},
                       {"tier": 3, "afterHours": 72, "recipients": ["executives", "bots"]}]}')
    ON CONFLICT DO NOTHING;
END
$function$;

CREATE OR REPLACE FUNCTION auth.resolve(credential_hash bytea)
 RETURNS TABLE(credential text, credential_id uuid, user_id uuid, branch_id uuid, branch_code text, login text, name text, roles text[], department_ids uuid[], granted_branch_ids uuid[], expires_at timestamp with time zone)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH credential AS (
        SELECT 'session' AS kind, s.id, s.branch_id, s.user_id, s.expires_at
          FROM public.sessions s
         WHERE s.token_hash = credential_hash AND s.revoked_at IS NULL AND s.expires_at > now()
        UNION ALL
        SELECT 'api_key', k.id, k.branch_id, k.user_id, k.expires_at
          FROM public.api_keys k
         WHERE k.key_hash = credential_hash AND k.revoked_at IS NULL
           AND (k.expires_at IS NULL OR k.expires_at > now())
    )
    SELECT c.kind, c.id, u.id, u.branch_id, b.code, u.login, u.name, u.roles,
           ARRAY(SELECT DISTINCT d FROM unnest(u.department_ids || ARRAY(
                     SELECT h.id FROM public.departments h
                      WHERE h.branch_id = u.branch_id AND h.head_user_id = u.id)) AS d),
           ARRAY(SELECT DISTINCT g.granted_branch_id FROM public.hq_grants g
                  WHERE g.branch_id = u.branch_id AND g.user_id = u.id AND g.role = ANY (u.roles)),
           c.expires_at
      FROM credential c
      JOIN public.users u ON u.branch_id = c.branch_id AND u.id = c.user_id
      JOIN public.branches b ON b.id = u.branch_id
     WHERE u.active AND (c.kind = 'session' OR u.roles <@ ARRAY['bot'])
     LIMIT 1;
END
$function$;
