-- A version for reference data that every server caches — the deadline rules and the working
-- calendar ('deadlines'): bumped in the transaction that changes them and read at each use, so a
-- change made on one server is used by all from their next use on.
CREATE TABLE reference_version (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO reference_version (name, version) VALUES ('deadlines', 1);

-- The case lists walk the queue in its order (urgent first, newest first) instead of sorting every
-- case, and count open cases from the status alone.
CREATE INDEX dispute_case_queue ON dispute_case (urgent, received_at);
CREATE INDEX dispute_case_agency_queue ON dispute_case (owner_agency_id, urgent, received_at);
CREATE INDEX dispute_case_status ON dispute_case (status);

-- The agency whose case a clock runs on, kept beside the clock (a case never changes its owning
-- agency), so that an inbox counts its agency's due clocks from one index instead of joining
-- every running clock of the district to its case.
ALTER TABLE case_clock ADD COLUMN owner_agency_id TEXT;
UPDATE case_clock SET owner_agency_id = (SELECT c.owner_agency_id FROM dispute_case c WHERE c.id = case_clock.case_id);
CREATE INDEX case_clock_agency_open ON case_clock (owner_agency_id, state, due_date);
CREATE INDEX case_clock_referral ON case_clock (referral_id, state, due_date);

-- The case page reads a case's plan and meeting tasks and its follow-ups by their keys.
CREATE INDEX task_source ON task (source_id);
CREATE INDEX follow_up_case ON follow_up (case_id, at);
