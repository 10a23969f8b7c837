-- Issue 11 §3: procuratorial suggestions (检察建议, DOMAIN.md §3.7).
CREATE TABLE suggestion (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    -- Given when the chief prosecutor decides: 甘州检建〔2026〕1号, gapless per agency and year.
    number TEXT UNIQUE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    recipient_agency_id TEXT NOT NULL REFERENCES agency (id),
    -- The document's parts (§3.7 "content of the document").
    facts TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '',
    proposals TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    objection_days BIGINT NOT NULL DEFAULT 10,
    urgent BIGINT NOT NULL DEFAULT 0,
    -- A shortened reply period in days (0: the 2 months).
    reply_days BIGINT NOT NULL DEFAULT 0,
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at BIGINT,
    delivery TEXT NOT NULL DEFAULT '',
    observers TEXT NOT NULL DEFAULT '',
    copies TEXT NOT NULL DEFAULT '',
    received_on TEXT,
    due_date TEXT,
    objection TEXT NOT NULL DEFAULT '',
    recheck TEXT NOT NULL DEFAULT '',
    reply TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    replied_on TEXT,
    replied_by_name TEXT NOT NULL DEFAULT '',
    reminders BIGINT NOT NULL DEFAULT 0,
    rung BIGINT NOT NULL DEFAULT 0,
    follow_up TEXT NOT NULL DEFAULT '',
    evaluation TEXT NOT NULL DEFAULT '',
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX suggestion_list ON suggestion (agency_id, state, created_at);
CREATE INDEX suggestion_recipient ON suggestion (recipient_agency_id, state, due_date);

-- The cases a suggestion's clue came from.
CREATE TABLE suggestion_case (
    suggestion_id TEXT NOT NULL REFERENCES suggestion (id) ON DELETE CASCADE,
    case_id TEXT NOT NULL REFERENCES dispute_case (id),
    PRIMARY KEY (suggestion_id, case_id)
);

-- What happened, step by step, for the suggestion's page and its file.
CREATE TABLE suggestion_step (
    id TEXT PRIMARY KEY,
    suggestion_id TEXT NOT NULL REFERENCES suggestion (id) ON DELETE CASCADE,
    command TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    by_name TEXT NOT NULL,
    by_agency TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX suggestion_step_of ON suggestion_step (suggestion_id, at);
