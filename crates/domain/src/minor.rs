//! Minors' protection (DOMAIN.md §3.9): mandatory reports (强制报告) from the bodies that must make
//! them, the harm they report, the report's states, the police notification measured in hours,
//! the guardian's situation, and the small-cell rule for statistics about children.

use chrono::NaiveDate;

use crate::policy::codes;

codes! {
    /// Who must report (强制报告办法 Art. 2–3, §3.9): state organs and bodies in close contact with
    /// minors.
    ReporterKind {
        School => "school",
        Kindergarten => "kindergarten",
        Hospital => "hospital",
        Hotel => "hotel",
        VillageCommittee => "village_committee",
        ResidentsCommittee => "residents_committee",
        TrainingCentre => "training_centre",
        WelfareInstitution => "welfare_institution",
        SocialWork => "social_work",
        StateOrgan => "state_organ",
        GridVisit => "grid_visit",
        Other => "other",
    }
}

codes! {
    /// The situations that must be reported (§3.9, the nine of the 2020 opinion).
    HarmKind {
        PrivateInjury => "private_injury",
        SexualAssaultUnder14 => "sexual_assault_under14",
        PregnancyFromAssault => "pregnancy_from_assault",
        AbuseInjuries => "abuse_injuries",
        AbnormalDeath => "abnormal_death",
        Abandonment => "abandonment",
        MissingTrafficked => "missing_trafficked",
        OrganisedBegging => "organised_begging",
        OtherSerious => "other_serious",
    }
}

codes! {
    /// §3.9 `Reported → PoliceNotified(immediately) → ProcuratorateFiled → … → Closed`.
    ReportState {
        Reported => "reported",
        PoliceNotified => "police_notified",
        Filed => "filed",
        Closed => "closed",
    }
}

codes! {
    /// The guardian's situation (§3.9: a guardian working away entrusts a carer and contacts the
    /// child at least weekly).
    GuardianSituation {
        WithParents => "with_parents",
        LeftBehind => "left_behind",
        GuardianAway => "guardian_away",
        InDifficulty => "in_difficulty",
        NoGuardian => "no_guardian",
    }
}

codes! {
    /// The six protections of the Minor Protection Law (rev. 2020, in force 2021-06-01, §3.9): a
    /// child's support plan has its tasks under them.
    Protection {
        Family => "family",
        School => "school",
        Society => "society",
        Network => "network",
        Government => "government",
        Judicial => "judicial",
    }
}

codes! {
    /// A support task given to an agency.
    TaskState {
        Open => "open",
        Done => "done",
        Cancelled => "cancelled",
    }
}

codes! {
    /// What happened with a child on a day (§3.9 `SupportPlan`): a caring mother's visit, a
    /// counselling session, or the guardian's contact with the child.
    ContactKind {
        MotherVisit => "mother_visit",
        Counselling => "counselling",
        GuardianContact => "guardian_contact",
    }
}

codes! {
    /// A child's record: open while the support plan runs (`SupportPlan → PeriodicReview`), then
    /// closed with its outcome.
    ChildState {
        Open => "open",
        Closed => "closed",
    }
}

/// "Guardians working away … contact the child **at least once a week**" (Minor Protection Law
/// Art. 22–23, §3.9).
pub const GUARDIAN_CONTACT_DAYS: i64 = 7;

impl GuardianSituation {
    /// Whether the guardian lives away from the child, so that the weekly contact is owed.
    pub fn owes_weekly_contact(self) -> bool {
        matches!(self, Self::LeftBehind | Self::GuardianAway)
    }
}

/// Days the weekly guardian contact is overdue on `today` (`None` when not owed or not overdue).
/// No contact recorded counts from the day the record was opened.
pub fn guardian_contact_overdue(
    situation: GuardianSituation,
    last_contact: Option<NaiveDate>,
    opened: NaiveDate,
    today: NaiveDate,
) -> Option<i64> {
    if !situation.owes_weekly_contact() {
        return None;
    }
    let since = (today - last_contact.unwrap_or(opened)).num_days();
    (since > GUARDIAN_CONTACT_DAYS).then_some(since - GUARDIAN_CONTACT_DAYS)
}

/// "Report to police **immediately**" (§3.9): a report not passed to the police within this many
/// hours of being received is shown late and escalated to the team's head.
pub const POLICE_NOTIFY_HOURS: i64 = 1;

/// Statistics about children: a cell counting fewer than this many is suppressed, so that no child
/// can be picked out of a table (PIPL Art. 28, all data of under-14s is sensitive, §6.1).
pub const SMALL_CELL: i64 = 5;

impl ReportState {
    /// The next state each step leads to, and from where.
    pub fn after(self, step: ReportStep) -> Option<ReportState> {
        use ReportState::*;
        match (self, step) {
            (Reported, ReportStep::NotifyPolice) => Some(PoliceNotified),
            (PoliceNotified, ReportStep::File) => Some(Filed),
            (Reported | PoliceNotified | Filed, ReportStep::Close) => Some(Closed),
            _ => None,
        }
    }
}

codes! {
    ReportStep {
        NotifyPolice => "notify_police",
        File => "file",
        Close => "close",
    }
}

/// Whole hours from `from` to `to` (milliseconds), never negative.
pub fn hours_between(from_ms: i64, to_ms: i64) -> i64 {
    (to_ms - from_ms).max(0) / 3_600_000
}

/// Whether the police were told late: after `POLICE_NOTIFY_HOURS`, or not yet and that long has
/// passed.
pub fn police_late(received_ms: i64, notified_ms: Option<i64>, now_ms: i64) -> bool {
    let until = notified_ms.unwrap_or(now_ms);
    until - received_ms > POLICE_NOTIFY_HOURS * 3_600_000
}

/// A count as statistics may show it: `None` (suppressed) below `SMALL_CELL`, except zero.
pub fn shown_count(n: i64) -> Option<i64> {
    (n == 0 || n >= SMALL_CELL).then_some(n)
}

/// A child's name as lists show it: the surname and a mark for each other character.
pub fn masked_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_police_are_told_within_the_hour() {
        let h = 3_600_000;
        assert!(!police_late(0, Some(h - 1), 10 * h));
        assert!(
            police_late(0, Some(h + 60_000), 10 * h),
            "told after an hour and a minute"
        );
        assert!(!police_late(0, None, h / 2), "half an hour in, not yet late");
        assert!(police_late(0, None, 2 * h), "two hours and nobody told");
        assert_eq!(hours_between(0, 5 * h + 1), 5);
        assert_eq!(hours_between(5 * h, 0), 0);
    }

    #[test]
    fn cells_of_fewer_than_five_children_are_suppressed() {
        assert_eq!(shown_count(0), Some(0));
        for n in 1..5 {
            assert_eq!(shown_count(n), None, "{n}");
        }
        assert_eq!(shown_count(5), Some(5));
        assert_eq!(shown_count(37), Some(37));
    }

    #[test]
    fn a_report_moves_forward_only() {
        use ReportState::*;
        assert_eq!(Reported.after(ReportStep::NotifyPolice), Some(PoliceNotified));
        assert_eq!(Reported.after(ReportStep::File), None, "the police first");
        assert_eq!(PoliceNotified.after(ReportStep::File), Some(Filed));
        assert_eq!(Filed.after(ReportStep::Close), Some(Closed));
        assert_eq!(Closed.after(ReportStep::Close), None);
        assert_eq!(masked_name("王小明"), "王**");
        assert_eq!(masked_name(""), "");
    }

    #[test]
    fn a_guardian_away_contacts_the_child_every_week() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let away = GuardianSituation::GuardianAway;
        assert_eq!(
            guardian_contact_overdue(away, Some(d("2026-11-24")), d("2026-01-01"), d("2026-12-01")),
            None,
            "seven days is still the week"
        );
        assert_eq!(
            guardian_contact_overdue(away, Some(d("2026-11-23")), d("2026-01-01"), d("2026-12-01")),
            Some(1)
        );
        assert_eq!(
            guardian_contact_overdue(away, None, d("2026-11-20"), d("2026-12-01")),
            Some(4),
            "never contacted counts from the record's opening"
        );
        assert_eq!(
            guardian_contact_overdue(
                GuardianSituation::WithParents,
                None,
                d("2026-01-01"),
                d("2026-12-01")
            ),
            None,
            "living with the parents owes no weekly call"
        );
        assert!(GuardianSituation::LeftBehind.owes_weekly_contact());
    }
}
