-- Issue 11 §4: state judicial aid (国家司法救助, DOMAIN.md §3.8).

-- The province's previous-year average monthly wage of employees, the base of every amount
-- (§4.5); kept by the administrator as the statistics bureau publishes it.
CREATE TABLE provincial_wage (
    province TEXT NOT NULL,
    year BIGINT NOT NULL,
    monthly BIGINT NOT NULL,
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (province, year)
);

CREATE TABLE aid_case (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agency (id),
    case_id TEXT NOT NULL REFERENCES dispute_case (id),
    party_id TEXT NOT NULL REFERENCES case_party (id),
    applicant_name TEXT NOT NULL,
    state TEXT NOT NULL,
    clue TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '',
    exclusions TEXT NOT NULL DEFAULT '',
    hardship TEXT NOT NULL DEFAULT '',
    -- 'written' or 'oral' (an oral application recorded, §3.8 "application").
    application_mode TEXT NOT NULL DEFAULT '',
    applied_on TEXT,
    review_due TEXT,
    wage_year BIGINT NOT NULL DEFAULT 0,
    monthly_wage BIGINT NOT NULL DEFAULT 0,
    amount BIGINT NOT NULL DEFAULT 0,
    advance BIGINT NOT NULL DEFAULT 0,
    court_award BIGINT NOT NULL DEFAULT 0,
    over_cap_approval TEXT NOT NULL DEFAULT '',
    decision_text TEXT NOT NULL DEFAULT '',
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at BIGINT,
    funds_received_on TEXT,
    notify_due TEXT,
    notified_on TEXT,
    paid_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- §3.8: one aid per person per case.
    UNIQUE (case_id, party_id)
);
CREATE INDEX aid_case_list ON aid_case (agency_id, state, created_at);
