-- Issue 10 §4–§5: a referral the receiver finishes in the case.

-- A clock set to a number of days by the person who started it (a referral's feedback deadline):
-- the case page states that term, not the rule's default. NULL: the rule's term.
ALTER TABLE case_clock ADD COLUMN term_days BIGINT;

-- The sender may ask the receiving agency to answer the citizen itself (DOMAIN.md §3.2: the
-- result reply then comes from the body that resolved the matter).
ALTER TABLE referral ADD COLUMN reply_requested BIGINT NOT NULL DEFAULT 0;

-- The signed mediation agreement (调解协议书), scanned and kept among the case's attachments.
ALTER TABLE mediation ADD COLUMN agreement_attachment_id TEXT REFERENCES attachment (id);
