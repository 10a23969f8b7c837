-- Security: who acted (the principal) in every audit event, secret checks throttled per account and
-- per address, what staff released for publication, which partner sent a request, and the
-- coordinates of places (for Open311 requests located by lat/long).

ALTER TABLE audit_event ADD COLUMN principal TEXT NOT NULL DEFAULT '';

-- Failed secret checks (password, second factor, tracking look-ups, API keys), counted per bucket:
-- `login:<user name>`, `login-ip:<address>`, `track-ip:<address>`, … in the database so that the
-- count holds across servers. Replaces login_throttle, whose rows move here.
CREATE TABLE auth_throttle (
    bucket TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);
INSERT INTO auth_throttle (bucket, failures, locked_until, updated_at)
SELECT 'login:' || username, failures, locked_until, updated_at FROM login_throttle;
DROP TABLE login_throttle;

-- The public sees only what a member of staff released: a title and a reply written for
-- publication. Never for a case with a minor party (checked when releasing).
ALTER TABLE dispute_case ADD COLUMN public_title TEXT NOT NULL DEFAULT '';
ALTER TABLE dispute_case ADD COLUMN public_reply TEXT NOT NULL DEFAULT '';
ALTER TABLE dispute_case ADD COLUMN published_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE dispute_case ADD COLUMN published_at BIGINT;
-- The partner system (API key) that submitted the request; it may read its own free text back.
ALTER TABLE dispute_case ADD COLUMN source_key_id TEXT REFERENCES api_key (id);
-- The id Open311 shows of a request that came in publicly: not the tracking code, which stays the
-- submitter's secret (with the phone's last four digits it opens the portal's view).
ALTER TABLE dispute_case ADD COLUMN public_id TEXT;
CREATE UNIQUE INDEX dispute_case_public_id ON dispute_case (public_id);
-- Marked by staff or the submitter when a minor is concerned though no party's ID number says so.
ALTER TABLE dispute_case ADD COLUMN minor_involved BIGINT NOT NULL DEFAULT 0;
CREATE INDEX dispute_case_channel ON dispute_case (channel, received_at);

-- Coordinates in millionths of a degree (WGS-84), integers so both engines store them exactly.
ALTER TABLE org_unit ADD COLUMN lat_e6 BIGINT;
ALTER TABLE org_unit ADD COLUMN lng_e6 BIGINT;
