-- 信访工作条例 (2022) took effect on 2022-05-01 (DOMAIN.md §3.3); the government-petition rules were
-- seeded as effective from 2019-01-01. Rules an administrator has since changed (a version above 1)
-- are left as they are.
UPDATE deadline_rule SET effective_from = '2022-05-01'
WHERE code IN ('gov-routing-15d', 'gov-acceptance-15d', 'gov-handling-60d', 'gov-review-30d')
  AND effective_from = '2019-01-01' AND version = 1;
UPDATE reference_version SET version = version + 1 WHERE name = 'deadlines';
