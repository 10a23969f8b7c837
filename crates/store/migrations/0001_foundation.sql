-- Foundation: org tree, agencies, accounts, sessions, reference data, the 1+4+6 roster, audit.
-- Portable SQL: TEXT UUIDv7 keys, BIGINT UTC milliseconds, BIGINT 0/1 flags; no triggers, no extensions.

CREATE TABLE org_unit (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id TEXT REFERENCES org_unit (id),
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX org_unit_parent ON org_unit (parent_id, code);
CREATE INDEX org_unit_level ON org_unit (level, code);

CREATE TABLE agency (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    org_unit_id TEXT NOT NULL REFERENCES org_unit (id),
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX agency_kind ON agency (kind, code);

CREATE TABLE app_user (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 1,
    password_changed_at BIGINT,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    totp_last_counter BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    demo BIGINT NOT NULL DEFAULT 0,
    last_login_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX app_user_agency ON app_user (agency_id);

CREATE TABLE user_role (
    user_id TEXT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Failed logins are counted per user name, known or not, so that the lockout answer does not reveal
-- which accounts exist, and in the database so that it holds across servers.
CREATE TABLE login_throttle (
    username TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE auth_session (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    stage TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX auth_session_user ON auth_session (user_id);
CREATE INDEX auth_session_expiry ON auth_session (expires_at);

CREATE TABLE dispute_category (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

CREATE TABLE calendar_day (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE patch (
    township_id TEXT PRIMARY KEY REFERENCES org_unit (id),
    head_kind TEXT NOT NULL,
    person_name TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

CREATE TABLE roster_slot (
    village_id TEXT NOT NULL REFERENCES org_unit (id),
    slot TEXT NOT NULL,
    person_name TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    phone_enc TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (village_id, slot)
);

-- Append-only. Events are written unsealed (seq NULL) inside the business transaction, then sealed in
-- order into the SM3 chain by one sealer at a time, holding the audit_chain row.
CREATE TABLE audit_event (
    id TEXT PRIMARY KEY,
    seq BIGINT UNIQUE,
    occurred_at BIGINT NOT NULL,
    actor_user_id TEXT NOT NULL DEFAULT '',
    actor_name TEXT NOT NULL DEFAULT '',
    agency_id TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '{}',
    request_id TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    prev_hash TEXT,
    hash TEXT
);
CREATE INDEX audit_event_time ON audit_event (occurred_at);
CREATE INDEX audit_event_actor ON audit_event (actor_user_id, occurred_at);

CREATE TABLE audit_chain (
    id BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    anchor_seq BIGINT NOT NULL,
    anchor_hash TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO audit_chain (id, last_seq, last_hash, anchor_seq, anchor_hash, updated_at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0,
        '0000000000000000000000000000000000000000000000000000000000000000', 0);

-- Periodic work that must run on one server at a time takes a lease here.
CREATE TABLE job_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
