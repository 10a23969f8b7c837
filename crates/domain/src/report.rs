//! Statistical returns (统计报表, issue 13 §4; DOMAIN.md §7 "Reports"): the figures of a month or a
//! year, frozen when issued so that the return reads the same whenever it is opened; what has
//! changed since (a case registered late, a correction) is shown as a difference, and issuing again
//! makes a new revision beside the first, never over it.

use chrono::NaiveDate;

use crate::dashboard::Period;
use crate::policy::codes;

codes! {
    ReturnPeriod {
        Month => "month",
        Year => "year",
    }
}

/// A return's period from its code: `2026-11` a month, `2026` a year.
pub fn period_of(code: &str) -> Option<(ReturnPeriod, Period)> {
    let code = code.trim();
    if code.len() == 4 {
        Some((ReturnPeriod::Year, Period::year(code.parse().ok()?)?))
    } else {
        Some((ReturnPeriod::Month, Period::parse_month(code)?))
    }
}

/// Whether a period may be issued on `today`: only once it has ended (a month's return is made
/// from the month's whole record).
pub fn may_issue(p: Period, today: NaiveDate) -> bool {
    p.to < today
}

/// One figure: what it counts (`key`: `received`, `category.NEIGHBOUR`, `township.<id>`, …), the
/// name of what it counts where that is data (a category's, a township's name), and the count —
/// `None` where it is suppressed (a count of children under five, domain::minor::shown_count).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Line {
    pub key: String,
    #[serde(default)]
    pub label: String,
    pub value: Option<i64>,
}

/// A figure that is not what the return says: issued and now (`None`: not in that one).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Difference {
    pub key: String,
    pub label: String,
    pub issued: Option<i64>,
    pub now: Option<i64>,
}

/// The figures that differ between the issued lines and the lines now, in the return's order and
/// then the new ones.
pub fn differences(issued: &[Line], now: &[Line]) -> Vec<Difference> {
    let find = |lines: &[Line], key: &str| lines.iter().find(|l| l.key == key).and_then(|l| l.value);
    let mut out = Vec::new();
    for l in issued {
        let n = find(now, &l.key);
        if n != l.value {
            out.push(Difference {
                key: l.key.clone(),
                label: l.label.clone(),
                issued: l.value,
                now: n,
            });
        }
    }
    for l in now {
        if !issued.iter().any(|i| i.key == l.key) && l.value.is_some_and(|v| v != 0) {
            out.push(Difference {
                key: l.key.clone(),
                label: l.label.clone(),
                issued: None,
                now: l.value,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: &str, value: i64) -> Line {
        Line {
            key: key.into(),
            label: String::new(),
            value: Some(value),
        }
    }

    #[test]
    fn periods_are_months_or_years_and_issued_once_ended() {
        let (k, p) = period_of("2026-11").unwrap();
        assert_eq!(k, ReturnPeriod::Month);
        assert_eq!(p.to.to_string(), "2026-11-30");
        let (k, p) = period_of("2025").unwrap();
        assert_eq!(k, ReturnPeriod::Year);
        assert_eq!(
            (p.from.to_string(), p.to.to_string()),
            ("2025-01-01".into(), "2025-12-31".into())
        );
        for bad in ["", "26", "2026-1", "2026-13", "abcd", "2026/11"] {
            assert!(period_of(bad).is_none(), "{bad}");
        }
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(may_issue(period_of("2026-11").unwrap().1, d("2026-12-01")));
        assert!(!may_issue(period_of("2026-12").unwrap().1, d("2026-12-05")));
        assert!(!may_issue(period_of("2026").unwrap().1, d("2026-12-31")));
    }

    #[test]
    fn what_changed_since_issue_is_a_difference() {
        let issued = vec![line("received", 10), line("category.A", 6), line("category.B", 4)];
        let now = vec![
            line("received", 11),
            line("category.A", 6),
            line("category.B", 4),
            line("category.C", 1),
            line("category.D", 0),
        ];
        let d = differences(&issued, &now);
        assert_eq!(
            d.iter()
                .map(|x| (x.key.as_str(), x.issued, x.now))
                .collect::<Vec<_>>(),
            [("received", Some(10), Some(11)), ("category.C", None, Some(1))]
        );
        assert!(differences(&issued, &issued).is_empty());
    }
}
