-- DOMAIN.md §3.3 (信访工作条例 Arts. 35–36): review and re-review go to the next-higher organ; an
-- agency's superior is data. One row per agency that has one.
CREATE TABLE agency_superior (
    agency_id TEXT PRIMARY KEY REFERENCES agency (id),
    superior_id TEXT NOT NULL REFERENCES agency (id),
    updated_at BIGINT NOT NULL
);

-- §3.3: a clock is paused only for a reason its rule names ("a hearing may be held and its time
-- is not counted" in re-review); comma-separated pause-reason codes, '' for none.
ALTER TABLE deadline_rule ADD COLUMN pausable TEXT NOT NULL DEFAULT '';
UPDATE reference_version SET version = version + 1 WHERE name = 'deadlines';
