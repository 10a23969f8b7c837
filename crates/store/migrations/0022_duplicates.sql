-- Issue 13 §2: the same grievance coming in through several doors. Each case keeps the SimHash of
-- its title and narrative (domain::search::simhash) and its four 16-bit bands, each indexed, so
-- that the candidates within three bits are found by an index seek on either database. The
-- values are filled when a case is written, and for older cases by the index rebuild.
ALTER TABLE dispute_case ADD COLUMN simhash BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dispute_case ADD COLUMN sim_b0 BIGINT NOT NULL DEFAULT -1;
ALTER TABLE dispute_case ADD COLUMN sim_b1 BIGINT NOT NULL DEFAULT -1;
ALTER TABLE dispute_case ADD COLUMN sim_b2 BIGINT NOT NULL DEFAULT -1;
ALTER TABLE dispute_case ADD COLUMN sim_b3 BIGINT NOT NULL DEFAULT -1;
CREATE INDEX dispute_case_sim_b0 ON dispute_case (sim_b0);
CREATE INDEX dispute_case_sim_b1 ON dispute_case (sim_b1);
CREATE INDEX dispute_case_sim_b2 ON dispute_case (sim_b2);
CREATE INDEX dispute_case_sim_b3 ON dispute_case (sim_b3);
-- The same petitioner and respondent within a window: names looked up by index.
CREATE INDEX case_party_name ON case_party (name, role);

-- What staff decided about a likely earlier case: a repeat petition (重复信访) of it, or not the
-- same matter (dismissed, so that it is not suggested again). One decision per pair, kept with who
-- and when; the repeats feed the risk assessment's count of earlier petitions (§3.5).
CREATE TABLE case_link (
    case_id TEXT NOT NULL REFERENCES dispute_case (id),
    other_id TEXT NOT NULL REFERENCES dispute_case (id),
    kind TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (case_id, other_id)
);
CREATE INDEX case_link_other ON case_link (other_id);
