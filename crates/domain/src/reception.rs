//! The chief prosecutor's reception day (检察长接访日, DOMAIN.md §3.10, §4.1): leaders receive
//! petitioners at published half-day slots, at least 12 a year each; a visit is booked by staff or
//! on the public portal, received with a record, and either answered on the spot or owned (包案) by
//! the leader until its case is closed.
//!
//! `Scheduled(published) → Booked → Received(record) → {AnsweredOnSpot | Owned(包案) → Tracked → Closed}`:
//! a slot is drafted and published; a visit is booked, then answered or owned (tracked while its
//! case is open), and closed once the case is; a visitor who does not come is recorded as such.

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

use crate::policy::codes;

codes! {
    /// §4.1: each reception lasts at least half a day.
    ReceptionHalf {
        /// 08:30–12:00
        Morning => "am",
        /// 14:30–18:00
        Afternoon => "pm",
    }
}

codes! {
    SlotState {
        /// Planned, not yet on the public schedule.
        Draft => "draft",
        /// On the published schedule (portal and staff may book).
        Published => "published",
        Cancelled => "cancelled",
    }
}

codes! {
    VisitState {
        Booked => "booked",
        /// Received and answered on the spot.
        Answered => "answered",
        /// Received, and the leader owns the matter (包案) until its case is closed.
        Owned => "owned",
        Closed => "closed",
        NoShow => "no_show",
        Cancelled => "cancelled",
    }
}

codes! {
    VisitCommand {
        Answer => "answer",
        Own => "own",
        NoShow => "no_show",
        Cancel => "cancel",
        Close => "close",
    }
}

codes! {
    /// Who booked the visit.
    BookingChannel {
        Staff => "staff",
        Portal => "portal",
    }
}

/// §4.1 (2007 rule): leaders and department heads receive visitors at least 12 times a year.
pub const MIN_PER_YEAR: usize = 12;
/// The most visitors one half day is booked for (a leader hears each one in person).
pub const MAX_CAPACITY: i64 = 20;
/// The longest matter a visitor describes when booking.
pub const MATTER_MAX: usize = 2000;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{command} is not possible while the visit is {from}")]
pub struct NotNow {
    pub from: VisitState,
    pub command: VisitCommand,
}

impl ReceptionHalf {
    /// When the half day runs, local time.
    pub fn hours(self) -> (&'static str, &'static str) {
        match self {
            ReceptionHalf::Morning => ("08:30", "12:00"),
            ReceptionHalf::Afternoon => ("14:30", "18:00"),
        }
    }
}

impl VisitState {
    /// Still waiting for something: the visitor to come, or the owned case to close.
    pub fn is_open(self) -> bool {
        matches!(self, VisitState::Booked | VisitState::Owned)
    }

    pub fn commands(self) -> Vec<VisitCommand> {
        VisitCommand::ALL
            .iter()
            .copied()
            .filter(|c| next(self, *c).is_ok())
            .collect()
    }
}

impl VisitCommand {
    /// Steps that record the reception itself (on or after its day).
    pub fn receives(self) -> bool {
        matches!(
            self,
            VisitCommand::Answer | VisitCommand::Own | VisitCommand::NoShow
        )
    }
}

pub fn next(from: VisitState, command: VisitCommand) -> Result<VisitState, NotNow> {
    use VisitCommand as C;
    use VisitState as S;
    Ok(match (from, command) {
        (S::Booked, C::Answer) => S::Answered,
        (S::Booked, C::Own) => S::Owned,
        (S::Booked, C::NoShow) => S::NoShow,
        (S::Booked, C::Cancel) => S::Cancelled,
        (S::Owned, C::Close) => S::Closed,
        _ => return Err(NotNow { from, command }),
    })
}

/// How many receptions a leader still lacks in a year to reach the §4.1 minimum.
pub fn shortfall(scheduled: usize) -> usize {
    MIN_PER_YEAR.saturating_sub(scheduled)
}

/// Why a slot cannot be scheduled.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum SlotError {
    #[error("the day is past")]
    Past,
    #[error("the capacity is outside 1..={MAX_CAPACITY}")]
    Capacity,
}

/// A slot on `day` for `capacity` visitors, scheduled on `today`.
pub fn check_slot(day: NaiveDate, capacity: i64, today: NaiveDate) -> Result<(), SlotError> {
    if day < today {
        return Err(SlotError::Past);
    }
    if !(1..=MAX_CAPACITY).contains(&capacity) {
        return Err(SlotError::Capacity);
    }
    Ok(())
}

/// The same day of each month from `first` for a year, for a leader's monthly reception days
/// (a day past a short month's end falls on its last day).
pub fn monthly(first: NaiveDate) -> Vec<NaiveDate> {
    (0..12)
        .filter_map(|k| {
            let months = first.month0() + k;
            let (year, month) = (first.year() + i32::try_from(months / 12).ok()?, months % 12 + 1);
            (0..4).find_map(|back| NaiveDate::from_ymd_opt(year, month, first.day().checked_sub(back)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_state_and_command() {
        for from in VisitState::ALL {
            for c in VisitCommand::ALL {
                let to = next(*from, *c);
                let expected = match (from, c) {
                    (VisitState::Booked, VisitCommand::Answer) => Some(VisitState::Answered),
                    (VisitState::Booked, VisitCommand::Own) => Some(VisitState::Owned),
                    (VisitState::Booked, VisitCommand::NoShow) => Some(VisitState::NoShow),
                    (VisitState::Booked, VisitCommand::Cancel) => Some(VisitState::Cancelled),
                    (VisitState::Owned, VisitCommand::Close) => Some(VisitState::Closed),
                    _ => None,
                };
                assert_eq!(to.ok(), expected, "{from} × {c}");
            }
        }
    }

    #[test]
    fn only_booked_and_owned_visits_are_open() {
        let open: Vec<_> = VisitState::ALL.iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, [&VisitState::Booked, &VisitState::Owned]);
    }

    #[test]
    fn twelve_a_year() {
        assert_eq!(shortfall(0), 12);
        assert_eq!(shortfall(11), 1);
        assert_eq!(shortfall(12), 0);
        assert_eq!(shortfall(30), 0);
    }

    #[test]
    fn slots_are_not_in_the_past_and_hold_a_sane_number() {
        let today = d("2026-12-02");
        assert_eq!(check_slot(d("2026-12-01"), 5, today), Err(SlotError::Past));
        assert_eq!(check_slot(d("2026-12-02"), 0, today), Err(SlotError::Capacity));
        assert_eq!(check_slot(d("2026-12-02"), 21, today), Err(SlotError::Capacity));
        assert_eq!(check_slot(d("2026-12-02"), 20, today), Ok(()));
    }

    #[test]
    fn a_monthly_schedule_is_twelve_days_a_year() {
        let days = monthly(d("2026-01-31"));
        assert_eq!(days.len(), MIN_PER_YEAR);
        assert_eq!(days[1], d("2026-02-28"));
        assert_eq!(days[11], d("2026-12-31"));
        let from_march = monthly(d("2026-03-15"));
        assert_eq!(from_march[10], d("2027-01-15"));
    }

    #[test]
    fn half_days_last_half_a_day() {
        assert_eq!(ReceptionHalf::Morning.hours(), ("08:30", "12:00"));
        assert_eq!(ReceptionHalf::Afternoon.hours(), ("14:30", "18:00"));
    }
}
