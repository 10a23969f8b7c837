-- Issue 12 §3: minors' protection, its own security class (DOMAIN.md §3.9, §6.1 PIPL Art. 28).
-- A mandatory report (强制报告): who reported, what, when; the police told (the hours count); the
-- procuratorate's filing. Everything that names or locates the child is one SM4-encrypted JSON
-- document (`child_enc`); the rest is what statistics and the hours clock need.
CREATE TABLE minor_report (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    state TEXT NOT NULL,
    reporter_kind TEXT NOT NULL,
    -- The reporting body and person, encrypted (a school's teacher, a hotel's front desk).
    reporter_enc TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    harm_kind TEXT NOT NULL,
    -- The child (name, sex, birth date, ID number, school, address, guardian and situation) and
    -- what happened, encrypted.
    child_enc TEXT NOT NULL,
    guardian_situation TEXT NOT NULL,
    under14 BIGINT NOT NULL,
    village_id TEXT REFERENCES org_unit (id),
    township_id TEXT REFERENCES org_unit (id),
    police_notified_at BIGINT,
    police_unit TEXT NOT NULL DEFAULT '',
    filed_at BIGINT,
    closed_at BIGINT,
    outcome TEXT NOT NULL DEFAULT '',
    -- The grid visit's clue it came from.
    finding_id TEXT REFERENCES grid_finding (id),
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX minor_report_received ON minor_report (received_at);

-- Someone outside the juvenile team granted one report (a caring mother's coordinator, a judge).
CREATE TABLE minor_grant (
    report_id TEXT NOT NULL REFERENCES minor_report (id),
    user_id TEXT NOT NULL REFERENCES app_user (id),
    granted_by_name TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (report_id, user_id)
);
