-- Issue 11: procuratorial hearings (检察听证, DOMAIN.md §3.6) and the hearing-officer pool.

-- The pool (听证员库) with the people's supervisors (人民监督员): entered on a unit's recommendation
-- or a person's application, admitted by the pool manager.
CREATE TABLE hearing_officer (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    -- Comma-separated fields of expertise (婚姻家庭, 土地, 劳动 …).
    expertise TEXT NOT NULL DEFAULT '',
    employer TEXT NOT NULL DEFAULT '',
    birth_date TEXT NOT NULL,
    village_id TEXT REFERENCES org_unit (id),
    -- SM4-encrypted phone (PIPL): revealed to the pool manager only.
    phone_enc TEXT,
    phone_masked TEXT NOT NULL DEFAULT '',
    entry TEXT NOT NULL,
    recommended_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    refusal_reason TEXT NOT NULL DEFAULT '',
    reviewed_by_name TEXT NOT NULL DEFAULT '',
    reviewed_at BIGINT,
    available BIGINT NOT NULL DEFAULT 1,
    -- Comma-separated disqualification codes.
    disqualifications TEXT NOT NULL DEFAULT '',
    -- People the officer is related to, one name per line: a conflict with a party of that name.
    relations TEXT NOT NULL DEFAULT '',
    term_start TEXT,
    term_no BIGINT NOT NULL DEFAULT 0,
    participations BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX hearing_officer_status ON hearing_officer (status, name);

CREATE TABLE hearing (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id),
    agency_id TEXT NOT NULL REFERENCES agency (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    -- 'prosecutor' (proposed) or 'party' (applied for, Art. 9).
    origin TEXT NOT NULL,
    applicant TEXT NOT NULL DEFAULT '',
    -- The questions put to the hearing and the handling the prosecutor intends.
    topic TEXT NOT NULL,
    proposed_handling TEXT NOT NULL DEFAULT '',
    venue TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    wants_public BIGINT NOT NULL,
    minor BIGINT NOT NULL DEFAULT 0,
    scheduled_at BIGINT,
    chair_name TEXT NOT NULL DEFAULT '',
    refusal_reason TEXT NOT NULL DEFAULT '',
    approved_by_name TEXT NOT NULL DEFAULT '',
    approved_at BIGINT,
    -- The venue the chief prosecutor approved (Art. 12): another one away from the room needs approval again.
    approved_venue TEXT NOT NULL DEFAULT '',
    noticed_at BIGINT,
    notice_method TEXT NOT NULL DEFAULT '',
    held_at BIGINT,
    -- JSON: the record of the seven steps of Art. 15.
    record TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL DEFAULT '',
    decision_text TEXT NOT NULL DEFAULT '',
    decided_at BIGINT,
    -- A decision departing from the officers' majority is reported to the chief prosecutor.
    report TEXT NOT NULL DEFAULT '',
    announcement TEXT NOT NULL DEFAULT '',
    announced_at BIGINT,
    archived_at BIGINT,
    created_by TEXT NOT NULL REFERENCES app_user (id),
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX hearing_case ON hearing (case_id);
CREATE INDEX hearing_list ON hearing (agency_id, state, created_at);
CREATE INDEX hearing_public ON hearing (wants_public, minor, state, scheduled_at);

-- The officers sitting on a hearing: drawn or chosen for expertise, with each one's opinion.
CREATE TABLE hearing_seat (
    hearing_id TEXT NOT NULL REFERENCES hearing (id) ON DELETE CASCADE,
    officer_id TEXT NOT NULL REFERENCES hearing_officer (id),
    seq BIGINT NOT NULL,
    how TEXT NOT NULL,
    warning TEXT NOT NULL DEFAULT '',
    opinion TEXT NOT NULL DEFAULT '',
    opinion_text TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (hearing_id, officer_id)
);
CREATE INDEX hearing_seat_officer ON hearing_seat (officer_id);

-- The other participants notified: parties, agents, witnesses, representatives.
CREATE TABLE hearing_participant (
    hearing_id TEXT NOT NULL REFERENCES hearing (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (hearing_id, seq)
);

-- Every draw, with what anyone needs to re-run it: the seed, the candidates as they stood, the
-- number wanted and the names drawn.
CREATE TABLE hearing_draw (
    id TEXT PRIMARY KEY,
    hearing_id TEXT NOT NULL REFERENCES hearing (id) ON DELETE CASCADE,
    seed TEXT NOT NULL,
    wanted BIGINT NOT NULL,
    expertise TEXT NOT NULL DEFAULT '',
    candidates TEXT NOT NULL,
    picked TEXT NOT NULL,
    drawn_by_name TEXT NOT NULL,
    drawn_at BIGINT NOT NULL
);
CREATE INDEX hearing_draw_hearing ON hearing_draw (hearing_id, drawn_at);
