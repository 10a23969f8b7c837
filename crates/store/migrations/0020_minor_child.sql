-- Issue 12 §3: the child's record beyond a mandatory report (DOMAIN.md §3.9, §6.1 PIPL Art. 28).
-- Everything that names or locates the child, the carer, a caring mother or what was said is an
-- SM4-encrypted JSON document (`*_enc`); the plain columns are what lists, the weekly
-- guardian-contact check and statistics need.
CREATE TABLE minor_child (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    state TEXT NOT NULL,
    -- Name, sex, birth date, ID number, school, address, guardian, carer, phones, notes.
    person_enc TEXT NOT NULL,
    guardian_situation TEXT NOT NULL,
    under14 BIGINT NOT NULL,
    village_id TEXT REFERENCES org_unit (id),
    township_id TEXT REFERENCES org_unit (id),
    -- `YYYY-MM-DD` the record was opened, and of the guardian's last contact with the child.
    opened_on TEXT NOT NULL,
    guardian_contact_on TEXT,
    outcome TEXT NOT NULL DEFAULT '',
    closed_at BIGINT,
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX minor_child_state ON minor_child (state, township_id);

-- A report about a child already on record, or from which the record was opened.
ALTER TABLE minor_report ADD COLUMN child_id TEXT REFERENCES minor_child (id);

-- Someone outside the juvenile team granted one child's record (the caring mother's coordinator).
CREATE TABLE minor_child_grant (
    child_id TEXT NOT NULL REFERENCES minor_child (id),
    user_id TEXT NOT NULL REFERENCES app_user (id),
    granted_by_name TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (child_id, user_id)
);

-- The support plan: tasks under the six protections, each for an agency.
CREATE TABLE minor_task (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES minor_child (id),
    protection TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    -- What the agency is asked to do, and what it reports back, encrypted.
    detail_enc TEXT NOT NULL,
    due_on TEXT NOT NULL,
    state TEXT NOT NULL,
    note_enc TEXT NOT NULL DEFAULT '',
    done_by_name TEXT NOT NULL DEFAULT '',
    done_at BIGINT,
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX minor_task_child ON minor_task (child_id);
CREATE INDEX minor_task_agency ON minor_task (agency_id, state);

-- One-to-one pairing with a caring mother (爱心妈妈) of the Women's Federation.
CREATE TABLE minor_pairing (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES minor_child (id),
    -- The volunteer's name and phone, encrypted.
    mother_enc TEXT NOT NULL,
    started_on TEXT NOT NULL,
    ended_on TEXT,
    end_reason TEXT NOT NULL DEFAULT '',
    created_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX minor_pairing_child ON minor_pairing (child_id);

-- Caring mothers' visits, counselling sessions and the guardian's contacts, by day.
CREATE TABLE minor_contact (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES minor_child (id),
    kind TEXT NOT NULL,
    on_day TEXT NOT NULL,
    minutes BIGINT,
    -- Who met the child (the counsellor, the caring mother) and what came of it, encrypted.
    notes_enc TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX minor_contact_child ON minor_contact (child_id, on_day);
