-- DOMAIN.md §3.2: the attempts to reach a petitioner, on the record, so that replies are exempted
-- only when the record shows the petitioner cannot be reached.
CREATE TABLE contact_attempt (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    means TEXT NOT NULL,
    outcome TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX contact_attempt_case ON contact_attempt (case_id, at);
