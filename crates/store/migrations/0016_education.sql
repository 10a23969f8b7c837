-- Issue 12 §4: legal-education events (普法, DOMAIN.md §3.11).
CREATE TABLE education_event (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    topic TEXT NOT NULL,
    -- Local 'YYYY-MM-DD HH:MM' and its month, for the calendar and the counts.
    starts_at TEXT NOT NULL,
    month TEXT NOT NULL,
    venue_kind TEXT NOT NULL,
    -- The village or community it is held in (or for): its township is counted.
    place_id TEXT REFERENCES org_unit (id),
    township_id TEXT REFERENCES org_unit (id),
    venue TEXT NOT NULL DEFAULT '',
    platform TEXT NOT NULL DEFAULT '',
    speakers TEXT NOT NULL DEFAULT '',
    audience_expected BIGINT NOT NULL DEFAULT 0,
    attendance BIGINT,
    summary TEXT NOT NULL DEFAULT '',
    materials TEXT NOT NULL DEFAULT '',
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX education_event_month ON education_event (month, starts_at);
CREATE INDEX education_event_township ON education_event (township_id, month);

-- The cases an event explains (以案释法); shown with the parties' names masked.
CREATE TABLE education_event_case (
    event_id TEXT NOT NULL REFERENCES education_event (id) ON DELETE CASCADE,
    case_id TEXT NOT NULL REFERENCES dispute_case (id),
    PRIMARY KEY (event_id, case_id)
);
