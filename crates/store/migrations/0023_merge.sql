-- Issue 13 §2: a true duplicate — the same petition registered twice — merged into the case that
-- carries on. Nothing of it is deleted: its parties, files and timeline stay where they are, it
-- leaves the lists, the counts and the search (but its number), and its open clocks are held
-- (exempt) with the state they had, so that taking the merge back restores it exactly.
ALTER TABLE dispute_case ADD COLUMN merged_into TEXT REFERENCES dispute_case (id);
ALTER TABLE dispute_case ADD COLUMN merged_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE dispute_case ADD COLUMN merged_at BIGINT;
CREATE INDEX dispute_case_merged ON dispute_case (merged_into);
ALTER TABLE case_clock ADD COLUMN held_state TEXT;
