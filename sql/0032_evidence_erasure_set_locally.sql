-- The erasure functions allow their own evidence update with `SET LOCAL` instead of `set_config`,
-- so that on Citus the setting reaches the worker where the evidence trigger checks it
-- (`citus.propagate_set_commands = 'local'`, a harmless placeholder setting without Citus).
-- Otherwise unchanged from 0018, but for the timeline entry's copy of its complaint's visibility
-- (0033).

CREATE OR REPLACE FUNCTION retention.erase_complaint(branch uuid, complaint uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    erased text := 'erased after the retention period';
BEGIN
    UPDATE public.complaints c
       SET complainant_sealed = NULL, complainant_key_id = NULL, complainant_phone_index = NULL, complainant_name = NULL,
           complainant_phone = NULL, complainant_email = NULL, complainant_address = NULL, customer_ref = NULL,
           description = erased, desired_outcome = NULL, location = NULL, resolution = NULL, party = NULL,
           erased_at = coalesce(c.erased_at, now()), updated_at = now()
     WHERE c.branch_id = branch AND c.id = complaint;
    UPDATE public.complaint_communications m SET content = erased
     WHERE m.branch_id = branch AND m.complaint_id = complaint AND m.content <> erased;
    UPDATE public.complaint_findings f
       SET summary = erased, direct_parties = '{}', indirect_parties = '{}', accountability = NULL
     WHERE f.branch_id = branch AND f.complaint_id = complaint AND f.summary <> erased;
    UPDATE public.complaint_plans p SET description = erased, rejection_reason = NULL
     WHERE p.branch_id = branch AND p.complaint_id = complaint AND p.description <> erased;
    UPDATE public.complaint_surveys s SET comments = NULL
     WHERE s.branch_id = branch AND s.complaint_id = complaint AND s.comments IS NOT NULL;
    UPDATE public.complaint_events e
       SET note = NULL, before = retention.erased_values(e.before), after = retention.erased_values(e.after)
     WHERE e.branch_id = branch AND e.complaint_id = complaint
       AND (e.note IS NOT NULL OR e.before IS DISTINCT FROM retention.erased_values(e.before)
            OR e.after IS DISTINCT FROM retention.erased_values(e.after));
    UPDATE public.complaint_handovers h SET reason = NULL
     WHERE h.branch_id = branch AND h.complaint_id = complaint AND h.reason IS NOT NULL;
    SET LOCAL citus.propagate_set_commands = 'local';
    SET LOCAL redress.evidence_erasure = 'on';
    UPDATE public.complaint_evidence v
       SET content = NULL, content_erased_at = coalesce(v.content_erased_at, now()), source = 'erased', description = NULL,
           collected_by = 'erased'
     WHERE v.branch_id = branch AND v.complaint_id = complaint
       AND (v.content_erased_at IS NULL OR v.source <> 'erased' OR v.description IS NOT NULL);
    SET LOCAL redress.evidence_erasure = 'off';
    PERFORM audit.erase_copies(branch, complaint);
END
$$;
CREATE OR REPLACE FUNCTION retention.erase_evidence(branch uuid, evidence uuid) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    complaint uuid;
BEGIN
    -- The complaint stays as it is until the timeline entry below has copied its visibility (0033).
    PERFORM FROM public.complaints c
     WHERE c.branch_id = branch
       AND c.id = (SELECT v.complaint_id FROM public.complaint_evidence v WHERE v.branch_id = branch AND v.id = evidence)
       FOR SHARE;
    SET LOCAL citus.propagate_set_commands = 'local';
    SET LOCAL redress.evidence_erasure = 'on';
    UPDATE public.complaint_evidence v SET content = NULL, content_erased_at = coalesce(v.content_erased_at, now())
     WHERE v.branch_id = branch AND v.id = evidence
    RETURNING v.complaint_id INTO complaint;
    SET LOCAL redress.evidence_erasure = 'off';
    IF complaint IS NULL THEN
        RETURN false;
    END IF;
    INSERT INTO public.complaint_events (branch_id, complaint_id, kind, after,
                                         case_department_id, case_collaborating_department_ids, case_responsible_user_id)
    SELECT branch, complaint, 'evidence_erased', jsonb_build_object('evidenceId', evidence::text),
           c.department_id, c.collaborating_department_ids, c.responsible_user_id
      FROM public.complaints c WHERE c.branch_id = branch AND c.id = complaint;
    RETURN true;
END
$$;
