//! Prosecutors into the grid (检察官进网格, DOMAIN.md §3.10, PRODUCT.md module 9): people assigned to
//! villages and communities, each with a rhythm of visits; a visit's log (who was met, what was
//! looked for, what was found); each finding routed in the same step — a dispute case for the
//! township's governance centre (§3.1), a petition for the procuratorate (§3.2), or a clue for the
//! team that takes it up (supervision, public interest, judicial aid, minors).
//!
//! Per visit: `Planned → Visited → FindingsLogged → {Dispute | Clue} → Routed`. A log and the
//! routing of its findings are one transaction, so `FindingsLogged` is never seen at rest: a visit
//! is `Visited` (nothing found) or `Routed` (every finding sent on).

use std::collections::BTreeMap;

use chrono::{Days, Months, NaiveDate};

use crate::policy::{Action, codes};

codes! {
    /// How often an assigned person visits the village (the plan's rhythm).
    Rhythm {
        Weekly => "weekly",
        Fortnightly => "fortnightly",
        Monthly => "monthly",
        Quarterly => "quarterly",
    }
}

codes! {
    VisitState {
        Planned => "planned",
        /// Logged with nothing found.
        Visited => "visited",
        /// Logged, and every finding sent on.
        Routed => "routed",
        Cancelled => "cancelled",
    }
}

codes! {
    /// What a finding becomes (§3.10 "Dispute(§3.1) | Clue(petition / supervision / public interest /
    /// judicial aid / minor)").
    FindingKind {
        Dispute => "dispute",
        Petition => "petition",
        Supervision => "supervision",
        PublicInterest => "public_interest",
        JudicialAid => "judicial_aid",
        Minor => "minor",
    }
}

codes! {
    /// The checklist of what a visit looks for (routine screening, 排查): the disputes an oasis
    /// farming district knows (§0 "irrigation-water allocation / land"), the people the grid follows,
    /// and what becomes a procuratorial clue.
    CheckItem {
        LandWater => "land_water",
        Neighbour => "neighbour",
        Family => "family",
        WagesOwed => "wages_owed",
        KeyPetitioners => "key_petitioners",
        LeftBehindChildren => "left_behind_children",
        ElderlyAlone => "elderly_alone",
        SafetyHazard => "safety_hazard",
        Environment => "environment",
        LegalNeeds => "legal_needs",
    }
}

codes! {
    /// A clue in the team's queue.
    ClueState {
        /// Sent to the team, no one has taken it yet.
        Open => "open",
        /// Someone of the team works on it.
        Taken => "taken",
        /// What came of it is recorded.
        Closed => "closed",
    }
}

/// Where a finding goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Registered as a dispute (§3.1) and referred to the township's governance centre, which
    /// mediates; the feedback clock is `FEEDBACK_DAYS`.
    DisputeCase,
    /// Registered as a petition to the procuratorate (§3.2: its 7-day procedural reply runs).
    PetitionCase,
    /// A clue for the team whose members hold the action (§3.1 step 5 "Diverted … to the
    /// procuratorate (supervision clue / public-interest clue / judicial-aid clue)").
    Clue(Action),
}

/// The feedback days of a case a visit hands on: §3.1 step 4 (the "四级七天" ladder targets
/// closure within 7 days) for a dispute, §3.2 (the procedural reply within 7 days) for a petition.
pub const FEEDBACK_DAYS: u32 = 7;

/// At most this many findings and photos per visit (a phone's log, not an archive).
pub const MAX_FINDINGS: usize = 10;
pub const MAX_PHOTOS: usize = 6;

impl FindingKind {
    pub fn route(self) -> Route {
        match self {
            FindingKind::Dispute => Route::DisputeCase,
            FindingKind::Petition => Route::PetitionCase,
            FindingKind::Supervision | FindingKind::PublicInterest => Route::Clue(Action::DraftSuggestion),
            FindingKind::JudicialAid => Route::Clue(Action::HandleAid),
            FindingKind::Minor => Route::Clue(Action::ManageMinors),
        }
    }

    /// A case is registered from it (it needs a category and the person who raised it).
    pub fn becomes_case(self) -> bool {
        matches!(self.route(), Route::DisputeCase | Route::PetitionCase)
    }
}

impl Rhythm {
    /// The day the next visit falls due after one on `last`.
    pub fn next_after(self, last: NaiveDate) -> NaiveDate {
        match self {
            Rhythm::Weekly => last.checked_add_days(Days::new(7)),
            Rhythm::Fortnightly => last.checked_add_days(Days::new(14)),
            Rhythm::Monthly => last.checked_add_months(Months::new(1)),
            Rhythm::Quarterly => last.checked_add_months(Months::new(3)),
        }
        .unwrap_or(NaiveDate::MAX)
    }

    /// When the next visit is due: after the last one, or — never visited — from the day the
    /// assignment began.
    pub fn due(self, last: Option<NaiveDate>, assigned_on: NaiveDate) -> NaiveDate {
        match last {
            Some(l) => self.next_after(l),
            None => assigned_on,
        }
    }
}

/// The fields of a visit that an offline edit may change, by name.
pub type Fields = BTreeMap<String, String>;

/// A field both sides changed differently since the version the edit started from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldConflict {
    pub field: String,
    pub base: String,
    pub mine: String,
    pub theirs: String,
}

/// Field-level three-way merge of an edit made against `base` with the record as it is now
/// (`theirs`): a field only one side changed takes that side's value; a field both changed to the
/// same value is no conflict; a field both changed differently is returned for review — nothing
/// is overwritten silently.
pub fn merge(base: &Fields, mine: &Fields, theirs: &Fields) -> Result<Fields, Vec<FieldConflict>> {
    let mut out = theirs.clone();
    let mut conflicts = Vec::new();
    for (field, m) in mine {
        let b = base.get(field).map(String::as_str).unwrap_or_default();
        let t = theirs.get(field).map(String::as_str).unwrap_or_default();
        if m == b || m == t {
            continue;
        }
        if t == b {
            out.insert(field.clone(), m.clone());
        } else {
            conflicts.push(FieldConflict {
                field: field.clone(),
                base: b.to_owned(),
                mine: m.clone(),
                theirs: t.to_owned(),
            });
        }
    }
    if conflicts.is_empty() {
        Ok(out)
    } else {
        Err(conflicts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_field_changed_on_one_side_only_is_taken_from_that_side() {
        let base = fields(&[("place", "村委会"), ("notes", ""), ("people_met", "")]);
        let theirs = fields(&[("place", "村文化广场"), ("notes", ""), ("people_met", "")]);
        let mine = fields(&[("place", "村委会"), ("notes", "水渠纠纷"), ("people_met", "王某")]);
        let merged = merge(&base, &mine, &theirs).expect("no overlap");
        assert_eq!(
            merged,
            fields(&[
                ("place", "村文化广场"),
                ("notes", "水渠纠纷"),
                ("people_met", "王某")
            ])
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict() {
        let base = fields(&[("notes", "")]);
        let both = fields(&[("notes", "已走访")]);
        assert_eq!(merge(&base, &both, &both), Ok(both.clone()));
    }

    #[test]
    fn different_changes_to_one_field_are_returned_for_review() {
        let base = fields(&[("notes", "计划走访"), ("place", "村委会")]);
        let theirs = fields(&[("notes", "改为下午走访"), ("place", "村委会")]);
        let mine = fields(&[("notes", "发现灌溉用水纠纷"), ("place", "三社")]);
        assert_eq!(
            merge(&base, &mine, &theirs),
            Err(vec![FieldConflict {
                field: "notes".into(),
                base: "计划走访".into(),
                mine: "发现灌溉用水纠纷".into(),
                theirs: "改为下午走访".into(),
            }])
        );
    }

    #[test]
    fn rhythms_fall_due_by_the_calendar() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(Rhythm::Weekly.next_after(d(2026, 12, 28)), d(2027, 1, 4));
        assert_eq!(Rhythm::Monthly.next_after(d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(Rhythm::Quarterly.next_after(d(2026, 11, 30)), d(2027, 2, 28));
        assert_eq!(Rhythm::Monthly.due(None, d(2026, 3, 1)), d(2026, 3, 1));
    }

    #[test]
    fn every_finding_has_a_route_and_only_disputes_and_petitions_become_cases() {
        let cases: Vec<_> = FindingKind::ALL.iter().filter(|k| k.becomes_case()).collect();
        assert_eq!(cases, [&FindingKind::Dispute, &FindingKind::Petition]);
        assert_eq!(FindingKind::Minor.route(), Route::Clue(Action::ManageMinors));
        assert_eq!(
            FindingKind::PublicInterest.route(),
            Route::Clue(Action::DraftSuggestion)
        );
    }
}
