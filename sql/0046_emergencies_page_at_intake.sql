-- An emergency — a complaint of urgent priority, or one flagged as a matter of someone's safety —
-- pages the first tier of its ladder at intake, and its later rungs come after the policy's
-- `emergencyLadderPercent` of their time (100, the ladder unchanged, by default). The service
-- computes the schedule (SLASchedule); the scheduler fires it as any other, exactly once.
ALTER TABLE public.complaints ADD COLUMN safety boolean NOT NULL DEFAULT false;
GRANT UPDATE (safety) ON public.complaints TO redress_service;
