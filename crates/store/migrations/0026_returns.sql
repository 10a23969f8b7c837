-- Issue 13 §4: statistical returns, frozen when issued. A return is a month's or a year's figures
-- for the district or one agency; issuing the same period again adds a revision beside it.
CREATE TABLE stat_return (
    id TEXT PRIMARY KEY,
    -- 'district' or the agency's id.
    scope TEXT NOT NULL,
    scope_name TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    -- '2026-11' or '2026'.
    period TEXT NOT NULL,
    revision BIGINT NOT NULL,
    -- JSON: [{"key", "label", "value"}], as domain::report::Line.
    lines TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    issued_by_name TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    UNIQUE (scope, period, revision)
);
CREATE INDEX stat_return_list ON stat_return (scope, issued_at);
