//! The deadline engine: one pure function turns a start day, an amount and a unit into a due date
//! over the work calendar, and says which rest days it skipped; the same counting moves a resumed
//! clock. Rules ([`super::Rule`]) and the public calculator use it alike.
//!
//! Day counting follows the Civil Code (Arts. 200–204; DOMAIN.md §3): the start day is not counted;
//! a period in months ends on the same day number of the last month, or on that month's last day
//! when it has none; a period whose last day is a rest day ends on the next working day. Working-day
//! periods skip weekends and statutory holidays and count the make-up working days (调休).

use chrono::{Datelike, Days, Months, NaiveDate};

use super::Unit;
use crate::calendar::WorkCalendar;

/// A computed due date and its explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub due: NaiveDate,
    /// The first day counted.
    pub counted_from: NaiveDate,
    /// Rest days passed over: inside a working-day period, or rolled over at its end.
    pub skipped: Vec<NaiveDate>,
}

/// The Civil Code convention used by the calculator: count from the next day, roll over rest days.
pub fn due_date(cal: &WorkCalendar, start: NaiveDate, amount: u32, unit: Unit) -> Option<Due> {
    compute(cal, start, amount, unit, true, true)
}

pub(crate) fn compute(
    cal: &WorkCalendar,
    start: NaiveDate,
    amount: u32,
    unit: Unit,
    next_day: bool,
    roll_over: bool,
) -> Option<Due> {
    let counted_from = if next_day { start.succ_opt()? } else { start };
    let mut skipped = Vec::new();
    let mut due = match unit {
        Unit::CalendarDay if amount == 0 => start,
        Unit::CalendarDay => counted_from.checked_add_days(Days::new(u64::from(amount) - 1))?,
        // chrono clamps to the month's last day when the day number does not exist.
        Unit::Month => start.checked_add_months(Months::new(amount))?,
        Unit::WorkingDay => {
            if amount == 0 {
                start
            } else {
                let mut d = counted_from;
                let mut left = amount;
                loop {
                    if cal.is_working_day(d) {
                        left -= 1;
                        if left == 0 {
                            break d;
                        }
                    } else {
                        skipped.push(d);
                    }
                    d = d.succ_opt()?;
                }
            }
        }
    };
    // "The same day" (amount 0: urgent petitions, DOMAIN.md §3.2, §4.1) is that day, a holiday
    // too; the Civil Code's roll-over (Art. 203) is for a period's last day, and a same-day duty
    // has no period.
    if roll_over && unit != Unit::WorkingDay && amount > 0 {
        // A bounded search: no rest period is longer than a few weeks.
        let mut guard = 0;
        while !cal.is_working_day(due) && guard < 60 {
            skipped.push(due);
            due = due.succ_opt()?;
            guard += 1;
        }
    }
    Some(Due {
        due,
        counted_from,
        skipped,
    })
}

/// How many working days lie after `today` up to and including `due` (0 when due today or past).
pub fn working_days_left(cal: &WorkCalendar, today: NaiveDate, due: NaiveDate) -> u32 {
    let mut n = 0;
    let mut d = today;
    while d < due {
        let Some(next) = d.succ_opt() else { break };
        d = next;
        if cal.is_working_day(d) {
            n += 1;
        }
    }
    n
}

/// The due date of a clock resumed on `resumed` after a pause from `paused`, counted as its rule
/// counts (§3.3: the paused time does not count): a working-day period moves by the working days
/// of the pause and stays on a working day; any other moves by the days of the pause, and a last
/// day on a rest day rolls over to the next working day when the rule rolls over (Civil Code
/// Art. 203). A pause within a day moves nothing.
pub fn resumed(
    cal: &WorkCalendar,
    due: NaiveDate,
    paused: NaiveDate,
    resumed: NaiveDate,
    unit: Unit,
    roll_over: bool,
) -> NaiveDate {
    if resumed <= paused {
        return due;
    }
    let mut out = due;
    if unit == Unit::WorkingDay {
        let mut d = paused;
        while d < resumed {
            if cal.is_working_day(d) {
                out = next_working_day(cal, out);
            }
            let Some(n) = d.succ_opt() else { break };
            d = n;
        }
        return out;
    }
    let days = u64::try_from((resumed - paused).num_days()).unwrap_or(0);
    out = due.checked_add_days(Days::new(days)).unwrap_or(due);
    if roll_over {
        let mut guard = 0;
        while !cal.is_working_day(out) && guard < 60 {
            out = out.succ_opt().unwrap_or(out);
            guard += 1;
        }
    }
    out
}

/// The first working day after `d`.
fn next_working_day(cal: &WorkCalendar, d: NaiveDate) -> NaiveDate {
    let mut n = d;
    for _ in 0..60 {
        n = n.succ_opt().unwrap_or(n);
        if cal.is_working_day(n) {
            break;
        }
    }
    n
}

/// Is a date the last day of its month (for explanations of month periods).
pub fn is_month_end(d: NaiveDate) -> bool {
    d.succ_opt().is_some_and(|n| n.month() != d.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::official_2024_2026;
    use proptest::prelude::*;

    fn cal() -> WorkCalendar {
        WorkCalendar::new(official_2024_2026().into_iter().map(|h| (h.date, h.kind)))
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn due(start: &str, n: u32, unit: Unit) -> (String, Vec<String>) {
        let r = due_date(&cal(), d(start), n, unit).unwrap();
        (
            r.due.to_string(),
            r.skipped.iter().map(|x| x.to_string()).collect(),
        )
    }

    #[test]
    fn spring_festival_2025_rolls_a_7_day_period_to_the_first_working_day() {
        // Received 2025-01-24 (Fri): the 7th day is 01-31, inside 春节 (01-28–02-04) → 02-05.
        let (due_on, skipped) = due("2025-01-24", 7, Unit::CalendarDay);
        assert_eq!(due_on, "2025-02-05");
        assert_eq!(skipped.first().map(String::as_str), Some("2025-01-31"));
        assert_eq!(skipped.len(), 5);
    }

    #[test]
    fn working_days_count_the_make_up_saturday_in_spring_festival_2025() {
        // From 2025-01-24 (Fri): 01-26 (Sun) is a make-up working day, 01-27 works, 01-28–02-04 rest,
        // 02-05..: 7 working days = 01-26, 01-27, 02-05, 02-06, 02-07, 02-08 (make-up Sat), 02-10.
        let (due_on, skipped) = due("2025-01-24", 7, Unit::WorkingDay);
        assert_eq!(due_on, "2025-02-10");
        assert!(skipped.contains(&"2025-01-25".to_owned()));
        assert!(skipped.contains(&"2025-02-04".to_owned()));
        assert!(!skipped.contains(&"2025-02-08".to_owned()));
    }

    #[test]
    fn spring_festival_2026() {
        // 2026-02-13 (Fri) + 7 days = 02-20, inside 春节 (02-15–02-23) → 02-24.
        assert_eq!(due("2026-02-13", 7, Unit::CalendarDay).0, "2026-02-24");
        // 02-14 (Sat) is a make-up working day: 1 working day from 02-13 is 02-14.
        assert_eq!(due("2026-02-13", 1, Unit::WorkingDay).0, "2026-02-14");
        // From 02-13: 02-14, then 02-24, 02-25, 02-26, 02-27, 02-28 (make-up Sat), 03-02.
        assert_eq!(due("2026-02-13", 7, Unit::WorkingDay).0, "2026-03-02");
    }

    #[test]
    fn national_day_2025_with_its_make_up_weekend_days() {
        // 09-28 (Sun) and 10-11 (Sat) are worked; 10-01–10-08 rest.
        assert_eq!(due("2025-09-26", 1, Unit::WorkingDay).0, "2025-09-28");
        assert_eq!(due("2025-09-30", 1, Unit::WorkingDay).0, "2025-10-09");
        assert_eq!(due("2025-09-30", 3, Unit::WorkingDay).0, "2025-10-11");
        // 7 calendar days from 09-28 end 10-05, a holiday → 10-09.
        assert_eq!(due("2025-09-28", 7, Unit::CalendarDay).0, "2025-10-09");
        // 2024: 09-29 (Sun) and 10-12 (Sat) worked.
        assert_eq!(due("2024-09-27", 1, Unit::WorkingDay).0, "2024-09-29");
        assert_eq!(due("2024-10-11", 1, Unit::WorkingDay).0, "2024-10-12");
    }

    #[test]
    fn three_months_end_on_the_same_day_number_or_the_month_end() {
        assert_eq!(due("2025-11-30", 3, Unit::Month).0, "2026-02-28");
        assert_eq!(due("2026-03-10", 3, Unit::Month).0, "2026-06-10");
        // 2025-05-31 + 3 months = 08-31 (Sun) → 09-01.
        assert_eq!(due("2025-05-31", 3, Unit::Month).0, "2025-09-01");
        // 2024-11-30 + 3 months = 2025-02-28 (the month has no 30th), a Friday.
        assert_eq!(due("2024-11-30", 3, Unit::Month).0, "2025-02-28");
        // 2025-11-29 + 3 months = 2026-02-28, a make-up working Saturday: not rolled.
        assert_eq!(due("2025-11-29", 3, Unit::Month).0, "2026-02-28");
        assert_eq!(due("2024-01-31", 1, Unit::Month).0, "2024-02-29");
    }

    #[test]
    fn a_resumed_clock_keeps_its_rule_s_counting() {
        let c = cal();
        // Ten calendar days paused over the 2026 Spring Festival: due 2026-02-24 + 10 = 03-06.
        assert_eq!(
            resumed(
                &c,
                d("2026-02-24"),
                d("2026-02-10"),
                d("2026-02-20"),
                Unit::CalendarDay,
                true
            ),
            d("2026-03-06")
        );
        // Landing on a Saturday rolls over to Monday.
        assert_eq!(
            resumed(
                &c,
                d("2026-11-20"),
                d("2026-11-02"),
                d("2026-11-10"),
                Unit::CalendarDay,
                true
            ),
            d("2026-11-30")
        );
        // Working days: paused over the whole festival, only the working days in it count.
        assert_eq!(
            resumed(
                &c,
                d("2026-03-02"),
                d("2026-02-13"),
                d("2026-02-25"),
                Unit::WorkingDay,
                true
            ),
            d("2026-03-05")
        );
        assert_eq!(
            resumed(
                &c,
                d("2026-03-02"),
                d("2026-02-13"),
                d("2026-02-13"),
                Unit::WorkingDay,
                true
            ),
            d("2026-03-02")
        );
    }

    #[test]
    fn zero_days_is_the_same_day() {
        assert_eq!(due("2026-11-27", 0, Unit::CalendarDay).0, "2026-11-27");
    }

    /// §3.2, §4.1: an urgent petition is handled the day it arrives — on a Saturday, and on every
    /// day of the Spring Festival and National Day holidays of 2025 and 2026.
    #[test]
    fn an_urgent_petition_is_due_the_day_it_arrives_on_every_holiday() {
        let holidays = [
            ("2025-01-28", "2025-02-04", "春节"),
            ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
            ("2026-02-15", "2026-02-23", "春节"),
            ("2026-10-01", "2026-10-07", "国庆节"),
            ("2026-11-28", "2026-11-29", "周末"),
        ];
        let c = cal();
        let mut days = 0;
        for (from, to, name) in holidays {
            let mut day = d(from);
            while day <= d(to) {
                assert!(!c.is_working_day(day), "{day} is a day of rest ({name})");
                let due = due_date(&c, day, 0, Unit::CalendarDay).unwrap();
                assert_eq!((due.due, due.skipped.len()), (day, 0), "urgent on {day} ({name})");
                days += 1;
                day = day.succ_opt().unwrap();
            }
        }
        assert_eq!(days, 8 + 8 + 9 + 7 + 2);
        // A period of days still rolls over a rest day at its end.
        assert_eq!(due("2026-02-10", 7, Unit::CalendarDay).0, "2026-02-24");
    }

    proptest! {
        /// Resuming keeps the rule's counting: a working-day clock moves by exactly the working
        /// days of the pause and ends on a working day; a calendar one by at least the days of
        /// the pause, ending on a working day.
        #[test]
        fn resuming_keeps_the_rule_s_counting(
            due_offset in 0u64..900, pause_offset in 0u64..900, pause_len in 0u64..60, working in any::<bool>()
        ) {
            let c = cal();
            let base = d("2024-01-01");
            let due = base + Days::new(due_offset);
            let due = if c.is_working_day(due) { due } else { next_working_day(&c, due) };
            let paused = base + Days::new(pause_offset);
            let back = paused + Days::new(pause_len);
            let unit = if working { Unit::WorkingDay } else { Unit::CalendarDay };
            let out = resumed(&c, due, paused, back, unit, true);
            prop_assert!(c.is_working_day(out));
            let working_between = |from: NaiveDate, to: NaiveDate| {
                let mut n = 0;
                let mut x = from;
                while x < to {
                    if c.is_working_day(x) { n += 1; }
                    x = x.succ_opt().unwrap();
                }
                n
            };
            if working {
                prop_assert_eq!(
                    working_between(due + Days::new(1), out + Days::new(1)),
                    working_between(paused, back)
                );
            } else {
                prop_assert!(out >= due + Days::new(pause_len));
            }
        }

        #[test]
        fn a_due_date_is_a_working_day_after_the_start(
            offset in 0u64..1000, n in 1u32..120, unit in 0usize..3
        ) {
            let start = d("2024-01-01") + Days::new(offset);
            let unit = Unit::ALL[unit];
            let r = due_date(&cal(), start, n, unit).unwrap();
            prop_assert!(r.due > start);
            prop_assert!(cal().is_working_day(r.due));
            for s in &r.skipped {
                prop_assert!(!cal().is_working_day(*s));
                prop_assert!(*s > start && *s <= r.due);
            }
        }

        #[test]
        fn working_days_between_start_and_due_equal_the_amount(offset in 0u64..1000, n in 1u32..60) {
            let c = cal();
            let start = d("2024-01-01") + Days::new(offset);
            let r = due_date(&c, start, n, Unit::WorkingDay).unwrap();
            prop_assert_eq!(working_days_left(&c, start, r.due), n);
        }

        #[test]
        fn a_longer_period_never_ends_earlier(offset in 0u64..1000, n in 1u32..60, unit in 0usize..3) {
            let start = d("2024-01-01") + Days::new(offset);
            let unit = Unit::ALL[unit];
            let a = due_date(&cal(), start, n, unit).unwrap().due;
            let b = due_date(&cal(), start, n + 1, unit).unwrap().due;
            prop_assert!(b >= a);
        }

        #[test]
        fn a_calendar_period_without_rest_at_its_end_is_exact(offset in 0u64..1000, n in 1u32..60) {
            let start = d("2024-01-01") + Days::new(offset);
            let r = due_date(&cal(), start, n, Unit::CalendarDay).unwrap();
            let plain = start + Days::new(u64::from(n));
            prop_assert!(r.due >= plain);
            prop_assert_eq!(r.due == plain, cal().is_working_day(plain));
        }
    }
}
