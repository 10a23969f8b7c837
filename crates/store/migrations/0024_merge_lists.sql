-- Issue 13 §2/§7: every list leaves merged duplicates out (`merged_into IS NULL`). Indexed whole,
-- `merged_into` drew the lists' plans onto it — a million NULLs, then a sort — instead of their own
-- ordered indexes (a case list at a million cases took seconds). The index that finds a case's
-- merged duplicates now holds the merged ones only, and the status index carries the column, so
-- the lists walk their queue indexes in order and their counts stay index-only.
DROP INDEX dispute_case_merged;
CREATE INDEX dispute_case_merged ON dispute_case (merged_into) WHERE merged_into IS NOT NULL;
DROP INDEX dispute_case_status;
CREATE INDEX dispute_case_status ON dispute_case (status, merged_into);
