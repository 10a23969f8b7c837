-- Issue 12 §2: the 1+4+6 roster at work — a mediator, legal adviser or psychological counsellor
-- asked to help with a case (DOMAIN.md §0.1 "tasks of the six"; §3.1 step 5), from the village's
-- roster first or from elsewhere. A person released from the case keeps the row (released_at).
CREATE TABLE case_helper (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    slot TEXT NOT NULL,
    person_name TEXT NOT NULL,
    agency_name TEXT NOT NULL DEFAULT '',
    -- Encrypted (SM4), copied from the roster when the person came from it.
    phone_enc TEXT,
    from_roster BIGINT NOT NULL DEFAULT 0,
    assigned_by_name TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    released_at BIGINT
);
CREATE INDEX case_helper_case ON case_helper (case_id);
