//! What the dashboard counts and how (issue 13 §3; PRODUCT.md module 14; DOMAIN.md §7 "Reports"):
//! the period a figure covers, the 7-day and 3-month reply rates of §3.2, the referral outcomes,
//! and the village heat — where disputes gather this month against the three before.

use chrono::{Datelike, Months, NaiveDate};

use crate::deadline::ClockState;
use crate::policy::codes;
use crate::referral::ReferralState;

/// Days from `from` to `to`, both counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The calendar month `year-month`.
    pub fn month(year: i32, month: u32) -> Option<Self> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)?;
        let to = from.checked_add_months(Months::new(1))?.pred_opt()?;
        Some(Period { from, to })
    }

    /// `YYYY-MM`, as the dashboard's month picker sends it.
    pub fn parse_month(s: &str) -> Option<Self> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        Period::month(y.parse().ok()?, m.parse().ok()?)
    }

    /// The calendar year.
    pub fn year(year: i32) -> Option<Self> {
        Some(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// The month a day falls in.
    pub fn month_of(day: NaiveDate) -> Self {
        Period {
            from: day.with_day(1).unwrap_or(day),
            to: day
                .with_day(1)
                .and_then(|f| f.checked_add_months(Months::new(1)))
                .and_then(|n| n.pred_opt())
                .unwrap_or(day),
        }
    }

    /// The `n` whole months before this period's first month (for the heat's comparison).
    pub fn months_before(&self, n: u32) -> Self {
        let first = self.from.with_day(1).unwrap_or(self.from);
        Period {
            from: first.checked_sub_months(Months::new(n)).unwrap_or(first),
            to: first.pred_opt().unwrap_or(first),
        }
    }

    /// The `n` months ending with this period's month, oldest first (the trend chart).
    pub fn trailing_months(&self, n: u32) -> Vec<Period> {
        let first = self.from.with_day(1).unwrap_or(self.from);
        (0..n)
            .rev()
            .filter_map(|i| first.checked_sub_months(Months::new(i)))
            .map(Period::month_of)
            .collect()
    }

    /// `YYYY-MM` of the first day.
    pub fn month_code(&self) -> String {
        self.from.format("%Y-%m").to_string()
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// A reply rate: of the replies that had to be made, how many were made in time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Rate {
    /// Replies that fell due (met, or still not met after the due day).
    pub due: i64,
    /// Of those, made on or before the due day.
    pub on_time: i64,
}

impl Rate {
    /// Per mille, rounded down (`None` when nothing fell due).
    pub fn permille(&self) -> Option<i64> {
        (self.due > 0).then(|| self.on_time * 1000 / self.due)
    }

    /// "99.7%", or "—" when nothing fell due.
    pub fn percent(&self) -> String {
        match self.permille() {
            Some(p) => format!("{}.{}%", p / 10, p % 10),
            None => "—".into(),
        }
    }
}

/// One reply clock as the rate sees it.
#[derive(Clone, Copy, Debug)]
pub struct ClockOutcome {
    pub due: NaiveDate,
    pub state: ClockState,
    /// The local day it was met.
    pub met_on: Option<NaiveDate>,
}

/// The 7-day (procedural reply) or 3-month (result reply) rate over clocks due in a period
/// (DOMAIN.md §3.2 "metrics": the national 2022 figures were 99.68 % and 97.45 %). A reply the
/// rules exempt (anonymous, no contact: §3.2 "exemptions") is not counted; a paused clock's due
/// day is not final and one still in time is not yet decided, so neither is counted either.
pub fn reply_rate(clocks: impl IntoIterator<Item = ClockOutcome>, today: NaiveDate) -> Rate {
    let mut r = Rate::default();
    for c in clocks {
        match c.state {
            ClockState::Met => {
                r.due += 1;
                if c.met_on.is_some_and(|m| m <= c.due) {
                    r.on_time += 1;
                }
            }
            ClockState::Exempt | ClockState::Paused => {}
            _ if c.due < today => r.due += 1,
            _ => {}
        }
    }
    r
}

codes! {
    /// What became of referrals sent in a period.
    ReferralOutcome {
        /// Every referral sent and not taken back.
        Sent => "sent",
        /// Taken on by the receiving agency (and those it has since reported on).
        Accepted => "accepted",
        /// Sent back as not the receiver's to handle.
        Returned => "returned",
    }
}

impl ReferralOutcome {
    pub fn states(self) -> &'static [ReferralState] {
        match self {
            ReferralOutcome::Sent => &[
                ReferralState::Pending,
                ReferralState::Accepted,
                ReferralState::Returned,
                ReferralState::Reported,
            ],
            ReferralOutcome::Accepted => &[ReferralState::Accepted, ReferralState::Reported],
            ReferralOutcome::Returned => &[ReferralState::Returned],
        }
    }
}

codes! {
    /// A village's heat: the red/yellow/blue of the county heat maps (DOMAIN.md §3.1, Yumen).
    Heat {
        /// At least 3 this month and at least double the monthly mean of the three before.
        Red => "red",
        /// More than the monthly mean of the three before.
        Yellow => "yellow",
        /// No more than usual.
        Blue => "blue",
    }
}

/// The heat of a place with `now` cases this month and `before` in the three months before. The
/// thresholds are the product's (DOMAIN.md names the colours, not the cut-offs): a doubling of
/// at least three cases is a gathering, any rise a warning.
pub fn heat(now: i64, before: i64) -> Heat {
    // Compared in thirds to stay in integers: now > before / 3  ⇔  3·now > before.
    if now >= 3 && 3 * now >= 2 * before {
        Heat::Red
    } else if 3 * now > before {
        Heat::Yellow
    } else {
        Heat::Blue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_and_their_neighbours() {
        let p = Period::parse_month("2026-03").unwrap();
        assert_eq!((p.from, p.to), (d("2026-03-01"), d("2026-03-31")));
        assert_eq!(Period::parse_month("2024-02").unwrap().to, d("2024-02-29"));
        let before = p.months_before(3);
        assert_eq!((before.from, before.to), (d("2025-12-01"), d("2026-02-28")));
        let trend = p.trailing_months(3);
        assert_eq!(
            trend.iter().map(Period::month_code).collect::<Vec<_>>(),
            ["2026-01", "2026-02", "2026-03"]
        );
        assert_eq!(Period::month_of(d("2026-12-04")).to, d("2026-12-31"));
        for bad in ["2026-13", "2026-3", "26-03", "", "2026-00", "abcd-ef"] {
            assert!(Period::parse_month(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_reply_counts_when_it_fell_due() {
        let c = |due: &str, state, met: Option<&str>| ClockOutcome {
            due: d(due),
            state,
            met_on: met.map(d),
        };
        let today = d("2026-03-10");
        let rate = reply_rate(
            [
                c("2026-03-05", ClockState::Met, Some("2026-03-05")), // on the day: in time
                c("2026-03-05", ClockState::Met, Some("2026-03-06")), // a day late
                c("2026-03-09", ClockState::Overdue, None),           // due and not met
                c("2026-03-12", ClockState::Running, None),           // still in time
                c("2026-03-12", ClockState::Met, Some("2026-03-08")), // early
                c("2026-03-01", ClockState::Exempt, None),            // exempt: not counted
                c("2026-03-01", ClockState::Paused, None),            // paused: not final
            ],
            today,
        );
        assert_eq!(rate, Rate { due: 4, on_time: 2 });
        assert_eq!(rate.percent(), "50.0%");
        assert_eq!(Rate::default().percent(), "—");
        assert_eq!(Rate { due: 3, on_time: 2 }.percent(), "66.6%");
    }

    #[test]
    fn heat_marks_a_gathering_and_a_rise() {
        assert_eq!(heat(3, 3), Heat::Red); // 3 against a mean of 1
        assert_eq!(heat(6, 9), Heat::Red); // double a mean of 3
        assert_eq!(heat(2, 0), Heat::Yellow); // too few to be a gathering
        assert_eq!(heat(4, 9), Heat::Yellow); // above a mean of 3
        assert_eq!(heat(3, 9), Heat::Blue); // the usual
        assert_eq!(heat(0, 0), Heat::Blue);
    }
}
