-- 信访工作条例 (2022) took effect on 2022-05-01 (DOMAIN.md §3.3); the government-petition rules were
-- seeded as effective from 2019-01-01. Rules an administrator has since changed (a version above 1)
-- are left as they are.
UPDATE deadline_rule SET effective_from = '2022-05-01'
WHERE code IN ('gov-routing-15d', 'gov-acceptance-15d', 'gov-handling-60d', 'gov-review-30d')
  AND effective_from = '2019-01-01' AND version = 1;

-- How far and how often a clock may be extended is the rule's (DOMAIN.md §3.3, §4.1: handling 60
-- days, extended once by at most 30); 0 means it may not be. A clock counts its extensions.
ALTER TABLE deadline_rule ADD COLUMN extension_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deadline_rule ADD COLUMN extensions BIGINT NOT NULL DEFAULT 0;
UPDATE deadline_rule SET extension_days = 30, extensions = 1 WHERE code = 'gov-handling-60d' AND version = 1;
UPDATE deadline_rule SET extension_days = 15, extensions = 1 WHERE code = 'referral-feedback-15d' AND version = 1;
ALTER TABLE case_clock ADD COLUMN extensions BIGINT NOT NULL DEFAULT 0;
UPDATE reference_version SET version = version + 1 WHERE name = 'deadlines';
