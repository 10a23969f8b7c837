//! The work calendar: statutory rest days and make-up working days (调休) from the State Council's
//! yearly notices (DOMAIN.md Appendix A). Weekdays work and weekends rest unless the table says
//! otherwise; the table is data that an administrator edits.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::policy::codes;

codes! {
    /// What the calendar says of one date.
    DayKind {
        Rest => "rest",
        Workday => "workday",
    }
}

#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    overrides: BTreeMap<NaiveDate, DayKind>,
}

impl WorkCalendar {
    pub fn new(entries: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        Self {
            overrides: entries.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.overrides.get(&date) {
            Some(DayKind::Rest) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }
}

/// One line of the official calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: &'static str,
}

/// 国务院办公厅关于2024/2025/2026年部分节假日安排的通知: rest periods (weekend days inside them
/// included) and the weekend days that are worked instead.
pub fn official_2024_2026() -> Vec<Holiday> {
    const REST: &[(&str, &str, &str)] = &[
        ("2024-01-01", "2024-01-01", "元旦"),
        ("2024-02-10", "2024-02-17", "春节"),
        ("2024-04-04", "2024-04-06", "清明节"),
        ("2024-05-01", "2024-05-05", "劳动节"),
        ("2024-06-10", "2024-06-10", "端午节"),
        ("2024-09-15", "2024-09-17", "中秋节"),
        ("2024-10-01", "2024-10-07", "国庆节"),
        ("2025-01-01", "2025-01-01", "元旦"),
        ("2025-01-28", "2025-02-04", "春节"),
        ("2025-04-04", "2025-04-06", "清明节"),
        ("2025-05-01", "2025-05-05", "劳动节"),
        ("2025-05-31", "2025-06-02", "端午节"),
        ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
        ("2026-01-01", "2026-01-03", "元旦"),
        ("2026-02-15", "2026-02-23", "春节"),
        ("2026-04-04", "2026-04-06", "清明节"),
        ("2026-05-01", "2026-05-05", "劳动节"),
        ("2026-06-19", "2026-06-21", "端午节"),
        ("2026-09-25", "2026-09-27", "中秋节"),
        ("2026-10-01", "2026-10-07", "国庆节"),
    ];
    const WORK: &[(&str, &str)] = &[
        ("2024-02-04", "春节调休上班"),
        ("2024-02-18", "春节调休上班"),
        ("2024-04-07", "清明节调休上班"),
        ("2024-04-28", "劳动节调休上班"),
        ("2024-05-11", "劳动节调休上班"),
        ("2024-09-14", "中秋节调休上班"),
        ("2024-09-29", "国庆节调休上班"),
        ("2024-10-12", "国庆节调休上班"),
        ("2025-01-26", "春节调休上班"),
        ("2025-02-08", "春节调休上班"),
        ("2025-04-27", "劳动节调休上班"),
        ("2025-09-28", "国庆节调休上班"),
        ("2025-10-11", "国庆节调休上班"),
        ("2026-01-04", "元旦调休上班"),
        ("2026-02-14", "春节调休上班"),
        ("2026-02-28", "春节调休上班"),
        ("2026-05-09", "劳动节调休上班"),
        ("2026-09-20", "国庆节调休上班"),
        ("2026-10-10", "国庆节调休上班"),
    ];
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let mut out = Vec::new();
    for (from, to, name) in REST {
        let (Some(mut d), Some(end)) = (date(from), date(to)) else {
            continue;
        };
        while d <= end {
            out.push(Holiday {
                date: d,
                kind: DayKind::Rest,
                name,
            });
            let Some(next) = d.succ_opt() else { break };
            d = next;
        }
    }
    for (day, name) in WORK {
        if let Some(d) = date(day) {
            out.push(Holiday {
                date: d,
                kind: DayKind::Workday,
                name,
            });
        }
    }
    out.sort_by_key(|h| h.date);
    out
}

/// One holiday of a State Council notice (国务院办公厅关于部分节假日安排的通知): its name, the rest
/// period from `from` to `to` (weekend days inside it included), and the weekend days worked
/// instead (调休上班).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
pub struct NoticeHoliday {
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub from: Option<NaiveDate>,
    #[schema(value_type = String, format = Date)]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub workdays: Vec<NaiveDate>,
}

/// A date of the calendar with what it is and its name (春节, 春节调休上班).
pub type NamedDay = (NaiveDate, DayKind, String);

/// The longest rest period a notice gives (the Spring Festival and National Day weeks are 8–9 days).
pub const LONGEST_HOLIDAY: i64 = 15;

/// A whole notice as calendar days, or every problem as (field, translation key): a name of at most
/// 30 characters, a period of at most [`LONGEST_HOLIDAY`] days in order, make-up working days that
/// fall on a weekend outside every rest period, no date given twice.
pub fn notice_days(holidays: &[NoticeHoliday]) -> Result<Vec<NamedDay>, Vec<(String, &'static str)>> {
    let mut out: Vec<NamedDay> = Vec::new();
    let mut problems = Vec::new();
    for (n, h) in holidays.iter().enumerate() {
        let field = |name: &str| format!("holidays[{n}].{name}");
        let name = h.name.trim();
        if name.is_empty() || name.chars().count() > 30 {
            problems.push((field("name"), "name-invalid"));
        }
        let (Some(from), Some(to)) = (h.from, h.to) else {
            problems.push((field("from"), "date-invalid"));
            continue;
        };
        if to < from || (to - from).num_days() >= LONGEST_HOLIDAY {
            problems.push((field("to"), "notice-period-invalid"));
            continue;
        }
        for d in from.iter_days().take_while(|d| *d <= to) {
            out.push((d, DayKind::Rest, name.to_owned()));
        }
        for w in &h.workdays {
            if !matches!(w.weekday(), Weekday::Sat | Weekday::Sun) {
                problems.push((field("workdays"), "notice-workday-not-weekend"));
            }
            out.push((*w, DayKind::Workday, format!("{name}调休上班")));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for (d, _, _) in &out {
        if !seen.insert(*d) {
            problems.push(("holidays".into(), "notice-date-twice"));
            break;
        }
    }
    if problems.is_empty() {
        out.sort_by_key(|(d, _, _)| *d);
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn official() -> WorkCalendar {
        WorkCalendar::new(official_2024_2026().into_iter().map(|h| (h.date, h.kind)))
    }

    #[test]
    fn a_notice_becomes_its_days_and_a_bad_one_names_every_problem() {
        let spring = NoticeHoliday {
            name: "春节".into(),
            from: Some(d("2026-02-15")),
            to: Some(d("2026-02-23")),
            workdays: vec![d("2026-02-14"), d("2026-02-28")],
        };
        let days = notice_days(std::slice::from_ref(&spring)).unwrap();
        assert_eq!(days.len(), 11);
        assert_eq!(
            days[0],
            (d("2026-02-14"), DayKind::Workday, "春节调休上班".to_string())
        );
        assert_eq!(days[1].1, DayKind::Rest);
        // Agrees with the official table the system ships.
        let official: Vec<(NaiveDate, DayKind)> = official_2024_2026()
            .into_iter()
            .filter(|h| h.name.starts_with("春节") && h.date.year() == 2026)
            .map(|h| (h.date, h.kind))
            .collect();
        assert_eq!(
            days.iter().map(|(d, k, _)| (*d, *k)).collect::<Vec<_>>(),
            official
        );
        let bad = vec![
            NoticeHoliday {
                name: " ".into(),
                from: Some(d("2027-10-08")),
                to: Some(d("2027-10-01")),
                workdays: vec![],
            },
            NoticeHoliday {
                workdays: vec![d("2026-02-16")],
                ..spring.clone()
            },
            NoticeHoliday { from: None, ..spring },
        ];
        let problems = notice_days(&bad).unwrap_err();
        assert_eq!(
            problems,
            vec![
                ("holidays[0].name".to_string(), "name-invalid"),
                ("holidays[0].to".to_string(), "notice-period-invalid"),
                ("holidays[1].workdays".to_string(), "notice-workday-not-weekend"),
                ("holidays[2].from".to_string(), "date-invalid"),
                ("holidays".to_string(), "notice-date-twice"),
            ]
        );
    }

    #[test]
    fn spring_festival_2026_rests_and_its_make_up_saturdays_work() {
        let cal = official();
        assert!(
            !cal.is_working_day(d("2026-02-16")),
            "Monday in the Spring Festival"
        );
        assert!(!cal.is_working_day(d("2026-02-23")));
        assert!(cal.is_working_day(d("2026-02-14")), "make-up Saturday");
        assert!(cal.is_working_day(d("2026-02-28")), "make-up Saturday");
        assert!(cal.is_working_day(d("2026-02-24")));
    }

    #[test]
    fn ordinary_weeks_follow_the_weekday() {
        let cal = official();
        assert!(cal.is_working_day(d("2026-11-27")), "Friday");
        assert!(!cal.is_working_day(d("2026-11-28")), "Saturday");
    }

    #[test]
    fn the_official_table_has_the_published_number_of_days() {
        let all = official_2024_2026();
        let rest_2025 = all
            .iter()
            .filter(|h| h.kind == DayKind::Rest && h.date.year() == 2025)
            .count();
        // 1 + 8 + 3 + 5 + 3 + 8 rest days in 2025.
        assert_eq!(rest_2025, 28);
        assert_eq!(all.iter().filter(|h| h.kind == DayKind::Workday).count(), 19);
    }
}
