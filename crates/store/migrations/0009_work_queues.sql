-- Issue 10: work that waits for a person.

-- A notice to an agency is for everyone there, or only for its heads (an escalation goes to those
-- who answer for the agency, not to every grid worker).
ALTER TABLE notice ADD COLUMN audience TEXT NOT NULL DEFAULT 'all';
-- A notice is put away when its work is done on the case.
CREATE INDEX notice_case ON notice (case_id, read_at);

-- A refused sign-off leaves the head's queue until the plan is revised.
ALTER TABLE risk_assessment ADD COLUMN sign_off_refused_at BIGINT;

-- A handler asks the agency head to extend, pause or resume a clock; the head approves (the change
-- is made, with the head as approver) or refuses with a reason (DOMAIN.md §3.3, §4.1).
CREATE TABLE clock_request (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES dispute_case (id) ON DELETE CASCADE,
    clock_id TEXT NOT NULL REFERENCES case_clock (id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    action TEXT NOT NULL,
    days BIGINT NOT NULL DEFAULT 0,
    pause_reason TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES app_user (id),
    requested_by_name TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at BIGINT,
    answer TEXT NOT NULL DEFAULT ''
);
CREATE INDEX clock_request_pending ON clock_request (agency_id, state, requested_at);
CREATE INDEX clock_request_case ON clock_request (case_id);

-- One number series per agency, kind (字) and year: 信 39 no longer follows 调 38. Each series
-- continues from the shared counter, so no number is given twice; `series` is the kind's code, or
-- '' when the number pattern has no {kind}.
CREATE TABLE case_number_series (
    agency_id TEXT NOT NULL REFERENCES agency (id),
    series TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (agency_id, series, year)
);
INSERT INTO case_number_series (agency_id, series, year, last_seq)
SELECT c.agency_id, k.series, c.year, c.last_seq
FROM case_counter c
CROSS JOIN (SELECT 'petition' AS series UNION ALL SELECT 'dispute' UNION ALL SELECT 'gov_petition'
            UNION ALL SELECT 'minor_criminal' UNION ALL SELECT '') k;
DROP TABLE case_counter;

-- A citizen's files held across a refused portal form, by a random token, for two hours: what
-- was uploaded is not lost when the form comes back with an error.
CREATE TABLE held_upload (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    filename TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX held_upload_token ON held_upload (token);
CREATE INDEX held_upload_created ON held_upload (created_at);
