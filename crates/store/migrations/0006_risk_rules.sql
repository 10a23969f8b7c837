-- Risk rule sets are data (DOMAIN.md §0, §3.5 "varies by county"): versioned, with the date from
-- which and the region (division-code prefix, '' for everywhere) in which they apply. The factors
-- are the rule set's JSON (factor, points, from, derived); a version is never changed once saved.
CREATE TABLE risk_ruleset (
    version TEXT PRIMARY KEY,
    region TEXT NOT NULL DEFAULT '',
    effective_from TEXT NOT NULL,
    medium_from BIGINT NOT NULL,
    high_from BIGINT NOT NULL,
    factors TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

-- §3.5 "Risk → MitigationPlan → Mitigating → Reassessed": the high-risk assessment, mitigated, that
-- an assessment reassesses ('' when it is a first assessment).
ALTER TABLE risk_assessment ADD COLUMN reassesses TEXT NOT NULL DEFAULT '';
