-- Issue 12 §1: prosecutors into the grid (检察官进网格, DOMAIN.md §3.10).

-- A person assigned to a village or community (and one of its grids), with the rhythm of visits.
-- Ended assignments stay for the record; re-assigning the same person reopens theirs.
CREATE TABLE grid_assignment (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES app_user (id),
    agency_id TEXT NOT NULL REFERENCES agency (id),
    village_id TEXT NOT NULL REFERENCES org_unit (id),
    township_id TEXT NOT NULL REFERENCES org_unit (id),
    grid_id TEXT REFERENCES org_unit (id),
    -- The 1+4+6 slot the person fills there ('' for a grid worker's own grid).
    slot TEXT NOT NULL DEFAULT '',
    rhythm TEXT NOT NULL,
    -- 'YYYY-MM-DD'
    assigned_on TEXT NOT NULL,
    ended_on TEXT,
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (user_id, village_id)
);
CREATE INDEX grid_assignment_village ON grid_assignment (township_id, village_id);

-- A visit: planned for a day, then logged with what was looked for and found.
CREATE TABLE grid_visit (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    village_id TEXT NOT NULL REFERENCES org_unit (id),
    township_id TEXT NOT NULL REFERENCES org_unit (id),
    grid_id TEXT REFERENCES org_unit (id),
    visitor_id TEXT NOT NULL REFERENCES app_user (id),
    visitor_name TEXT NOT NULL,
    state TEXT NOT NULL,
    -- 'YYYY-MM-DD': the planned day, then the day visited (periods are counted by it).
    day TEXT NOT NULL,
    -- Local 'YYYY-MM-DD HH:MM' once visited.
    visited_at TEXT,
    place TEXT NOT NULL DEFAULT '',
    people_met TEXT NOT NULL DEFAULT '',
    -- Comma-separated checklist codes looked at.
    checklist TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX grid_visit_village ON grid_visit (village_id, day);
CREATE INDEX grid_visit_visitor ON grid_visit (visitor_id, day);
CREATE INDEX grid_visit_agency ON grid_visit (agency_id, day);

-- The key a phone sends with a log, so that a log sent twice is applied once.
CREATE TABLE grid_visit_key (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    visit_id TEXT NOT NULL REFERENCES grid_visit (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (principal, key)
);

CREATE TABLE grid_visit_photo (
    id TEXT PRIMARY KEY,
    visit_id TEXT NOT NULL REFERENCES grid_visit (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sm3 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX grid_visit_photo_visit ON grid_visit_photo (visit_id);

-- What a visit found, and where it went: the case registered from it, or the clue in a team's
-- queue (team = the action its members hold) with who took it and what came of it.
CREATE TABLE grid_finding (
    id TEXT PRIMARY KEY,
    visit_id TEXT NOT NULL REFERENCES grid_visit (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    case_id TEXT REFERENCES dispute_case (id),
    team TEXT NOT NULL DEFAULT '',
    clue_state TEXT,
    taken_by_id TEXT REFERENCES app_user (id),
    taken_by_name TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    closed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (visit_id, seq)
);
CREATE INDEX grid_finding_clue ON grid_finding (team, clue_state, created_at);
