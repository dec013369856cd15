-- Besides the standard policy, a branch starts with the limits the sources state for particular
-- complaints, each with the standard ladder:
--
--   * major complaints handled within 3 working days (urgent ones within 24 h);
--   * repeat complaints within 1 working day (urgent ones within 24 h);
--   * invalid complaints closed with feedback within 24 h;
--   * service and network quality: investigated (initial reply and preliminary feedback) within
--     24 h, the result within 48 h;
--   * business handling: the result within 48 h.
--
-- Billing (72 h) and everything else (at most 72 h) keep the standard policy. The natures' policies
-- name every priority too, so that they are more specific than the categories' (the most specific
-- covering policy wins): a major billing complaint follows the major one.
--
-- New branches get them active (public.create_branch calls public.seed_sla). Branches that exist
-- get them inactive, so that no open complaint's deadlines move on an upgrade: their admins
-- activate them (PUT /v1/sla-policies/{id} with "active": true) when they choose.

CREATE FUNCTION public.seed_source_policies(branch uuid, activate boolean) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    ladder jsonb := '[{"tier": 1, "afterHours": 24, "recipients": ["department_head", "bots"]},
                      {"tier": 2, "afterHours": 48, "recipients": ["branch_manager", "complaint_office", "bots"]},
                      {"tier": 3, "afterHours": 72, "recipients": ["executives", "bots"]}]';
    standard jsonb := jsonb_build_object(
        'counting', 'calendar_hours',
        'milestoneHours', jsonb_build_object('acknowledge', 24, 'initial_reply', 48, 'preliminary_feedback', 72),
        'resultHours', jsonb_build_object('urgent', 24, 'important', 48, 'general', 72),
        'ladder', ladder);
    every_priority jsonb := '["urgent", "important", "general"]';
    quality uuid := (SELECT k.id FROM public.categories k WHERE k.branch_id = branch AND k.code = 'network_quality');
    handling uuid := (SELECT k.id FROM public.categories k WHERE k.branch_id = branch AND k.code = 'business_handling');
BEGIN
    INSERT INTO public.sla_policies (branch_id, name, document, active)
    SELECT branch, p.name, standard || p.document, activate
      FROM (VALUES
            ('Major complaints', jsonb_build_object(
                'natures', '["major"]'::jsonb, 'priorities', every_priority,
                'resultLimits', '{"important": {"amount": 3, "unit": "working_days"}, "general": {"amount": 3, "unit": "working_days"}}'::jsonb)),
            ('Repeat complaints', jsonb_build_object(
                'natures', '["repeat"]'::jsonb, 'priorities', every_priority,
                'resultLimits', '{"important": {"amount": 1, "unit": "working_days"}, "general": {"amount": 1, "unit": "working_days"}}'::jsonb)),
            ('Invalid complaints', jsonb_build_object(
                'natures', '["invalid"]'::jsonb, 'priorities', every_priority,
                'resultHours', '{"urgent": 24, "important": 24, "general": 24}'::jsonb)),
            ('Service and network quality', CASE WHEN quality IS NOT NULL THEN jsonb_build_object(
                'categoryIDs', jsonb_build_array(quality),
                'milestoneHours', '{"acknowledge": 24, "initial_reply": 24, "preliminary_feedback": 24}'::jsonb,
                'resultHours', '{"urgent": 24, "important": 48, "general": 48}'::jsonb) END),
            ('Business handling', CASE WHEN handling IS NOT NULL THEN jsonb_build_object(
                'categoryIDs', jsonb_build_array(handling),
                'resultHours', '{"urgent": 24, "important": 48, "general": 48}'::jsonb) END)
           ) AS p (name, document)
     WHERE p.document IS NOT NULL
    ON CONFLICT (branch_id, name) DO NOTHING;
END
$$;
REVOKE ALL ON FUNCTION public.seed_source_policies(uuid, boolean) FROM PUBLIC;

CREATE OR REPLACE FUNCTION public.seed_sla(branch uuid)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
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
    PERFORM public.seed_source_policies(branch, true);
END
$function$;

DO $$
DECLARE
    existing uuid;
BEGIN
    FOR existing IN SELECT b.id FROM public.branches b ORDER BY b.id LOOP
        PERFORM public.seed_source_policies(existing, false);
    END LOOP;
END
$$;
