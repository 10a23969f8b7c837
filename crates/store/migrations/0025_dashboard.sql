-- Issue 13 §3: the dashboard's reply rates read the clocks of one kind due in a month, and its
-- referral counts the referrals sent in a month; both seek an index instead of reading every row.
CREATE INDEX case_clock_due ON case_clock (kind, due_date);
CREATE INDEX referral_created ON referral (created_at);
