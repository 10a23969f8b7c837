-- Cases: intake, parties, workflow events, clocks, risk, referrals, meetings, mediation, replies,
-- attachments, the inbox, the public portal and partner API keys.

-- Gapless case numbers: one row per agency and year, incremented inside the registering transaction.
CREATE TABLE case_counter (
    agency_id TEXT NOT NULL REFERENCES agency (id),
    year BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (agency_id, year)
);

-- Deadline rules are data (DOMAIN.md §3–§4): which clock a case of which kind gets when what happens
-- (the trigger), how long and how counted, from when, where. domain::deadline evaluates them.
CREATE TABLE deadline_rule (
    code TEXT PRIMARY KEY,
    clock TEXT NOT NULL,
    case_kind TEXT NOT NULL DEFAULT '*',
    trigger_event TEXT NOT NULL,
    amount BIGINT NOT NULL,
    unit TEXT NOT NULL,
    next_day BIGINT NOT NULL DEFAULT 1,
    roll_over BIGINT NOT NULL DEFAULT 1,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    region TEXT NOT NULL DEFAULT '*',
    source TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

CREATE TABLE dispute_case (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    level TEXT,
    channel TEXT NOT NULL,
    category_code TEXT NOT NULL REFERENCES dispute_category (code),
    place_id TEXT REFERENCES org_unit (id),
    grid_id TEXT REFERENCES org_unit (id),
    title TEXT NOT NULL,
    narrative TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    urgent BIGINT NOT NULL DEFAULT 0,
    anonymous BIGINT NOT NULL DEFAULT 0,
    exempt_reason TEXT NOT NULL DEFAULT '',
    owner_agency_id TEXT NOT NULL REFERENCES agency (id),
    handler_id TEXT REFERENCES app_user (id),
    created_by TEXT REFERENCES app_user (id),
    related_case_id TEXT REFERENCES dispute_case (id),
    tracking_code TEXT UNIQUE,
    tracking_phone TEXT,
    reconciliation TEXT NOT NULL DEFAULT '',
    risk_level TEXT,
    risk_stale_after BIGINT NOT NULL DEFAULT 0,
    closed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX dispute_case_owner ON dispute_case (owner_agency_id, status, received_at);
CREATE INDEX dispute_case_received ON dispute_case (received_at);
CREATE INDEX dispute_case_place ON dispute_case (place_id);
CREATE INDEX dispute_case_handler ON dispute_case (handler_id, status);

CREATE TABLE case_party (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    sex TEXT NOT NULL DEFAULT '',
    birth_year BIGINT,
    id_enc TEXT,
    id_index TEXT,
    id_masked TEXT NOT NULL DEFAULT '',
    phone_enc TEXT,
    phone_masked TEXT NOT NULL DEFAULT '',
    address_enc TEXT,
    minor BIGINT NOT NULL DEFAULT 0,
    elderly BIGINT NOT NULL DEFAULT 0,
    disabled BIGINT NOT NULL DEFAULT 0,
    impoverished BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX case_party_case ON case_party (case_id, seq);
CREATE INDEX case_party_id_index ON case_party (id_index);

-- The timeline: every event on a case, who, which agency, when, what. Internal events are never
-- shown on the portal.
CREATE TABLE case_event (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    agency_name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    public BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX case_event_case ON case_event (case_id, at);

CREATE TABLE case_clock (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    seq BIGINT NOT NULL DEFAULT 1,
    rule_code TEXT NOT NULL,
    start_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    state TEXT NOT NULL,
    skipped TEXT NOT NULL DEFAULT '',
    referral_id TEXT,
    met_at BIGINT,
    paused_at BIGINT,
    note TEXT NOT NULL DEFAULT '',
    approver_name TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX case_clock_case ON case_clock (case_id);
CREATE INDEX case_clock_open ON case_clock (state, due_date);

CREATE TABLE risk_assessment (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    ruleset TEXT NOT NULL,
    inputs TEXT NOT NULL,
    factors TEXT NOT NULL,
    score BIGINT NOT NULL,
    level TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    assessor_id TEXT,
    assessor_name TEXT NOT NULL,
    at BIGINT NOT NULL,
    plan TEXT NOT NULL DEFAULT '',
    signed_off_by TEXT NOT NULL DEFAULT '',
    signed_off_at BIGINT
);
CREATE INDEX risk_assessment_case ON risk_assessment (case_id, at);

-- Action items of mitigation plans and joint meetings; they appear in their owners' inboxes.
CREATE TABLE task (
    id TEXT PRIMARY KEY,
    case_id TEXT REFERENCES dispute_case (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES app_user (id),
    due_date TEXT NOT NULL,
    done_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX task_owner ON task (owner_id, done_at, due_date);

CREATE TABLE referral (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    from_agency_id TEXT NOT NULL REFERENCES agency (id),
    to_agency_id TEXT NOT NULL REFERENCES agency (id),
    note TEXT NOT NULL,
    due_date TEXT NOT NULL,
    state TEXT NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    created_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    answered_by_name TEXT NOT NULL DEFAULT '',
    answered_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX referral_to ON referral (to_agency_id, state);
CREATE INDEX referral_case ON referral (case_id);

CREATE TABLE meeting (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    held_at BIGINT NOT NULL,
    place TEXT NOT NULL,
    conclusions TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    created_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE meeting_agency (
    meeting_id TEXT NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    PRIMARY KEY (meeting_id, agency_id)
);
CREATE TABLE meeting_case (
    meeting_id TEXT NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, case_id)
);
CREATE INDEX meeting_case_case ON meeting_case (case_id);

CREATE TABLE mediation (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    mediator TEXT NOT NULL,
    held_at BIGINT NOT NULL,
    place TEXT NOT NULL,
    attendees TEXT NOT NULL,
    outcome TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    agreement TEXT NOT NULL DEFAULT '',
    agreement_date TEXT,
    created_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX mediation_case ON mediation (case_id);

CREATE TABLE follow_up (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    by_name TEXT NOT NULL,
    satisfaction TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT ''
);

CREATE TABLE reply (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    sent_by_name TEXT NOT NULL,
    agency_name TEXT NOT NULL
);
CREATE INDEX reply_case ON reply (case_id, sent_at);

CREATE TABLE reply_template (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

CREATE TABLE attachment (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sm3 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by_name TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX attachment_case ON attachment (case_id);

-- In-app reminders and escalations. The unique key makes the sweeper raise each one once, however
-- many servers run it.
CREATE TABLE notice (
    id TEXT PRIMARY KEY,
    dedup TEXT NOT NULL UNIQUE,
    user_id TEXT REFERENCES app_user (id),
    agency_id TEXT REFERENCES agency (id),
    case_id TEXT REFERENCES dispute_case (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notice_user ON notice (user_id, read_at);
CREATE INDEX notice_agency ON notice (agency_id, read_at);

-- A retried request with the same Idempotency-Key returns the first result.
CREATE TABLE idempotency (
    key TEXT NOT NULL,
    principal TEXT NOT NULL,
    case_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (principal, key)
);

CREATE TABLE api_key (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Portal submissions per client address and hour, and captchas answered (each is good once).
CREATE TABLE portal_throttle (
    bucket TEXT PRIMARY KEY,
    hits BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE captcha_used (
    token TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
