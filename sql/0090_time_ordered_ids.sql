-- Ids that sort by when they were made (UUID version 7, RFC 9562) for the rows that grow with the
-- complaints. Random ids (version 4) put each new row at a random place in every index led by an
-- id: the complaints' key, and the indexes of everything that names its complaint (timeline,
-- hand-overs, messages, communications, escalations, pages, the audit trail's entries by entity).
-- Once those indexes outgrow memory, each insert reads a page of each from disk: loading the scale
-- benchmark's data (`scripts/bench scale`) slowed from about 105 s per 100,000 complaints while it
-- fit in memory to 275-560 s per 100,000 beyond 1,600,000 complaints, waiting on reads
-- (`DataFileRead`) in its inserts. With time-ordered ids, new rows go to the end of each branch's
-- part of those indexes, which stays in memory however large the index grows.
--
-- The first 48 bits are the Unix time in milliseconds, the rest random (74 bits) but for the
-- version and variant, so an id still cannot be guessed; it does tell when its row was made, which
-- the row tells anyone who may read it anyway. The service makes complaints' and messages' ids
-- itself the same way (`UUID.timeOrdered()`); existing ids stay as they are. The other tables keep
-- random ids: they grow with people and settings, not complaints, and some of their ids reach
-- outside (sessions, keys, surveys and reviews sent to complainants).
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE FUNCTION public.uuid_v7() RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                          PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                                          FROM 1 FOR 6),
                                  52, 1), 53, 1),
                  'hex')::uuid
$$;

ALTER TABLE complaints ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE complaint_communications ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE complaint_handovers ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE escalations ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE pages ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE page_deliveries ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE follow_ups ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE complaint_plans ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE complaint_pauses ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE complaint_findings ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE complaint_evidence ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE complaint_dealings ALTER COLUMN id SET DEFAULT public.uuid_v7();
ALTER TABLE institutional_referrals ALTER COLUMN id SET DEFAULT public.uuid_v7();
