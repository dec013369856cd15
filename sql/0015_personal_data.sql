-- Customer personal data sealed at rest.
--
-- The complainant's name, phone, email, address and ID number are stored only as one AES-256-GCM
-- box (`complainant_sealed`), sealed by the service with the key `complainant_key_id` names and
-- bound to its branch and complaint; the database never holds the keys. Exact lookups by phone
-- number (and repeat detection without a customer reference) use `complainant_phone_index`,
-- HMAC-SHA256 of the number's digits under a separate key (a blind index). The plaintext columns
-- stay for rows written before sealing, until `redress pii rotate` seals them and clears them.
-- The audit trail records neither the box nor the index, nor any plaintext personal data.

ALTER TABLE complaints
    ADD COLUMN complainant_sealed bytea,
    ADD COLUMN complainant_key_id text CHECK (length(complainant_key_id) BETWEEN 1 AND 32),
    ADD COLUMN complainant_phone_index bytea CHECK (length(complainant_phone_index) = 32),
    ADD CONSTRAINT complaints_complainant_sealed_check CHECK ((complainant_sealed IS NULL) = (complainant_key_id IS NULL));
CREATE INDEX complaints_phone_index ON complaints (branch_id, complainant_phone_index) WHERE complainant_phone_index IS NOT NULL;

-- The columns the audit trail leaves out: secrets, evidence content and personal data. One list,
-- read by the row trigger, so a later migration changes only the list.
CREATE FUNCTION audit.hidden_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT ARRAY['password_hash', 'key_hash', 'token_hash', 'secret', 'content', 'complainant_name', 'complainant_phone',
                 'complainant_email', 'complainant_address', 'complainant_sealed', 'complainant_phone_index']
$$;

CREATE OR REPLACE FUNCTION audit.record_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    hidden text[] := audit.hidden_columns();
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - hidden END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - hidden END;
    row_data jsonb := coalesce(new_row, old_row);
    branch uuid := CASE WHEN TG_TABLE_NAME = 'branches' THEN (row_data ->> 'id')::uuid ELSE (row_data ->> 'branch_id')::uuid END;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, new_row -> o.key)
          INTO old_row, new_row
          FROM jsonb_each(old_row) o
         WHERE new_row -> o.key IS DISTINCT FROM o.value;
        IF old_row IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM audit.append(branch, lower(TG_OP), TG_TABLE_NAME,
                         CASE WHEN row_data ? 'id' AND row_data ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (row_data ->> 'id')::uuid END,
                         old_row, new_row);
    RETURN NULL;
END
$$;
