-- Issue 11 §5: the chief prosecutor's reception day (检察长接访日, DOMAIN.md §3.10, §4.1).

-- A leader's half day on the schedule: drafted, published (bookable), or cancelled.
CREATE TABLE reception_slot (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    leader_id TEXT NOT NULL REFERENCES app_user (id),
    leader_name TEXT NOT NULL,
    -- 'YYYY-MM-DD' and 'am' / 'pm'.
    day TEXT NOT NULL,
    half TEXT NOT NULL,
    place TEXT NOT NULL,
    topic TEXT NOT NULL DEFAULT '',
    capacity BIGINT NOT NULL,
    -- Visits booked and not cancelled, kept by a guarded update so a slot is never overbooked.
    booked BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (leader_id, day, half)
);
CREATE INDEX reception_slot_day ON reception_slot (agency_id, day);

-- A visitor booked on a slot, and what the reception did: answered on the spot, or owned (包案)
-- by the leader with the case it opened or linked, until that case is closed.
CREATE TABLE reception_visit (
    id TEXT PRIMARY KEY,
    slot_id TEXT NOT NULL REFERENCES reception_slot (id),
    agency_id TEXT NOT NULL REFERENCES agency (id),
    -- Shown to the visitor at booking, asked for at the door.
    code TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    visitor_name TEXT NOT NULL,
    phone_enc TEXT NOT NULL,
    phone_masked TEXT NOT NULL,
    matter TEXT NOT NULL,
    state TEXT NOT NULL,
    record TEXT NOT NULL DEFAULT '',
    case_id TEXT REFERENCES dispute_case (id),
    owner_id TEXT REFERENCES app_user (id),
    owner_name TEXT NOT NULL DEFAULT '',
    received_by_name TEXT NOT NULL DEFAULT '',
    received_at BIGINT,
    closed_at BIGINT,
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX reception_visit_slot ON reception_visit (slot_id, created_at);
CREATE INDEX reception_visit_case ON reception_visit (case_id);
CREATE INDEX reception_visit_owner ON reception_visit (owner_id, state);
