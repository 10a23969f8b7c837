//! Deadlines: the codes of clocks and their states, the rules (data kept in the database, with
//! their effective dates, region and extension limits) and which of them an event starts. The
//! counting itself is in [`count`].

use chrono::NaiveDate;

use crate::calendar::WorkCalendar;
use crate::policy::codes;
use crate::workflow::CaseKind;

codes! {
    Unit {
        CalendarDay => "calendar_day",
        WorkingDay => "working_day",
        Month => "month",
    }
}

codes! {
    /// The clocks a case can carry.
    ClockKind {
        /// Urgent (告急) petitions: handled the same day.
        UrgentHandling => "urgent_handling",
        /// §3.2: procedural reply within 7 days of receipt.
        ProceduralReply => "procedural_reply",
        /// §3.2: result (or progress) reply within 3 months.
        ResultReply => "result_reply",
        /// §3.2: after 3 months, a follow-up reply every month until done.
        ProgressReply => "progress_reply",
        /// §3.1: the Gaotai "四级七天" ladder closes a grid dispute within 7 days.
        GridClosure => "grid_closure",
        /// §3.3: the petition department routes within 15 days.
        Routing => "routing",
        /// §3.3: the competent organ decides acceptance within 15 days.
        Acceptance => "acceptance",
        /// §3.3: handled within 60 days of acceptance (+≤30 days by extension).
        Handling => "handling",
        /// §3.3: review opinion within 30 days of the request (信访工作条例 Art. 35).
        ReviewOpinion => "review_opinion",
        /// §3.3: the petitioner's 30 days from the written opinion to request a review by the
        /// next-higher organ (Art. 35).
        ReviewWindow => "review_window",
        /// §3.3: the petitioner's 30 days from the review opinion to request a re-review (Art. 36).
        ReReviewWindow => "rereview_window",
        /// §3.3: re-review opinion within 30 days; a hearing's time is not counted (Art. 36).
        ReReviewOpinion => "rereview_opinion",
        /// The receiving agency reports back on a referral.
        ReferralFeedback => "referral_feedback",
        /// §3.2, the 2007 rule tracked alongside: a written acceptance notice within 15 days when
        /// the matter cannot be answered on the spot.
        AcceptanceNotice => "acceptance_notice",
        /// §3.2 (2007 rule): an accepted item reaches the handling department within 7 days.
        InternalTransfer => "internal_transfer",
        /// §3.2 (2007 rule): the department finishes within 60 days of the transfer (+≤30 days).
        InternalHandling => "internal_handling",
        /// CPL Art. 283: the supervision period of a conditional non-prosecution (6–12 months).
        Probation => "probation",
        /// 人民调解法 Art. 33: judicial confirmation applied for within 30 days of the agreement.
        JudicialConfirmation => "judicial_confirmation",
        /// §3.6 Art. 10: participants are notified at least 3 days before a hearing; the rule gives
        /// the earliest day a hearing may sit when the notices go out on a day.
        HearingNotice => "hearing_notice",
        /// §3.7, §4.3: the recipient replies in writing within 2 months of receiving a suggestion.
        SuggestionReply => "suggestion_reply",
        /// §3.8, §4.5: the opinion on an aid application within 10 working days.
        AidReview => "aid_review",
        /// §3.8, §4.5: the applicant is told to collect within 2 working days of the funds arriving.
        AidNotice => "aid_notice",
    }
}

codes! {
    /// What starts a clock.
    Trigger {
        /// The case is received (registered with its received time).
        Received => "received",
        /// An urgent (告急) case is received.
        Urgent => "urgent",
        /// A government petition is routed to the competent organ.
        Routed => "routed",
        /// The competent organ accepts it.
        Accepted => "accepted",
        /// The petitioner asks for review.
        ReviewRequested => "review_requested",
        /// The handling organ issues its written opinion (the review window opens).
        OpinionIssued => "opinion_issued",
        /// The review opinion is issued (the re-review window opens).
        ReviewOpinionIssued => "review_opinion_issued",
        /// The petitioner asks for re-review.
        ReReviewRequested => "rereview_requested",
        /// The handling department takes an accepted petition on.
        HandlingStarted => "handling_started",
        /// A minor suspect's conditional non-prosecution is decided.
        ConditionalDecision => "conditional_decision",
        /// A progress reply is sent; the next one falls due.
        ProgressReplied => "progress_replied",
        /// The case is referred to another agency.
        Referred => "referred",
        /// A mediation agreement takes effect.
        Agreement => "agreement",
        /// A hearing's notices go out (the hearing may sit from the due date on).
        HearingNoticed => "hearing_noticed",
        /// The recipient receives a procuratorial suggestion.
        SuggestionReceived => "suggestion_received",
        /// A judicial-aid application is made.
        AidApplied => "aid_applied",
        /// Finance allocates an aid's funds.
        AidFundsReceived => "aid_funds_received",
    }
}

codes! {
    /// Where a clock stands.
    ClockState {
        Running => "running",
        DueSoon => "due_soon",
        Overdue => "overdue",
        Paused => "paused",
        Met => "met",
        Exempt => "exempt",
    }
}

impl ClockKind {
    /// A time the parties have, not a duty of the agency: the 30 days in which the parties to a
    /// mediation agreement may jointly apply for judicial confirmation (人民调解法 Art. 33,
    /// DOMAIN.md §3.1). Applying is their choice: the clock is met when they apply, lapses when
    /// the time passes, is never escalated, and outlives the closing of the case.
    /// The petitioner's windows for review and re-review (§3.3) are the same kind of time.
    pub fn is_parties_time(self) -> bool {
        matches!(
            self,
            ClockKind::JudicialConfirmation | ClockKind::ReviewWindow | ClockKind::ReReviewWindow
        )
    }

    /// The 2007 rule's clocks, tracked alongside the 7-day / 3-month commitment: shown and
    /// reminded of, but not reported upward when overdue (DOMAIN.md §3.2: "the 7-day/3-month
    /// clock is the one reported upward").
    pub fn is_tracked_only(self) -> bool {
        matches!(
            self,
            ClockKind::AcceptanceNotice | ClockKind::InternalTransfer | ClockKind::InternalHandling
        )
    }

    /// What a lapsed parties' time says: the time passed without the parties acting.
    pub fn lapsed_note(self) -> &'static str {
        match self {
            ClockKind::ReviewWindow => "期满，信访人未请求复查",
            ClockKind::ReReviewWindow => "期满，信访人未请求复核",
            _ => "期满，当事人未申请司法确认",
        }
    }
}

codes! {
    /// Why a clock may be paused — only for what a rule names (DOMAIN.md §3.3: "a hearing may be
    /// held and its time is not counted" for re-review; nothing else stops a statutory clock).
    PauseReason {
        /// A hearing (听证) is held: its time is not counted (信访工作条例 Art. 36).
        Hearing => "hearing",
    }
}

impl ClockState {
    /// Not yet met or exempted: counting or paused. Only an open clock is met, exempted, paused or
    /// extended (§3.6).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ClockState::Running | ClockState::DueSoon | ClockState::Overdue | ClockState::Paused
        )
    }

    /// Counting toward its due date now (open and not paused).
    pub fn is_counting(self) -> bool {
        self.is_open() && self != ClockState::Paused
    }
}

/// A deadline rule as stored: which clock, how long, how counted, and when and where it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: String,
    pub clock: ClockKind,
    /// The kind of case it applies to; `None` for every kind.
    pub case_kind: Option<CaseKind>,
    pub trigger: Trigger,
    pub amount: u32,
    pub unit: Unit,
    /// Count from the day after the trigger (Civil Code Art. 201); when false the trigger day counts.
    pub next_day: bool,
    /// A last day that is a rest day moves to the next working day (Art. 203).
    pub roll_over: bool,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    /// A 6-digit county code or `*`.
    pub region: String,
    /// The most days one extension may add; 0: a clock under this rule is not extended.
    pub extension_days: u32,
    /// How many times a clock under this rule may be extended.
    pub extensions: u32,
    /// The reasons for which a clock under this rule may be paused; none: it is never paused.
    pub pausable: Vec<PauseReason>,
    /// Where the rule comes from, shown when the due date is explained.
    pub source: String,
    /// The rule's version (each change makes a new one), shown with the due dates it produced.
    pub version: i64,
}

impl Rule {
    pub fn applies(&self, clock: ClockKind, on: NaiveDate, region: &str) -> bool {
        self.clock == clock
            && self.effective_from <= on
            && self.effective_to.is_none_or(|to| on <= to)
            && (self.region == "*" || self.region == region)
    }

    pub fn due(&self, cal: &WorkCalendar, start: NaiveDate) -> Option<Due> {
        compute(cal, start, self.amount, self.unit, self.next_day, self.roll_over)
    }
}

/// The most specific rule for a clock: a regional rule beats `*`, a later start beats an earlier one.
pub fn pick<'a>(rules: &'a [Rule], clock: ClockKind, on: NaiveDate, region: &str) -> Option<&'a Rule> {
    rules
        .iter()
        .filter(|r| r.applies(clock, on, region))
        .max_by_key(|r| (r.region != "*", r.case_kind.is_some(), r.effective_from))
}

/// The rules an event starts on a case of a kind: for each clock, the most specific applicable rule.
pub fn started_by<'a>(
    rules: &'a [Rule],
    kind: CaseKind,
    trigger: Trigger,
    on: NaiveDate,
    region: &str,
) -> Vec<&'a Rule> {
    let fits: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.trigger == trigger && r.case_kind.is_none_or(|k| k == kind))
        .collect();
    let mut out: Vec<&Rule> = Vec::new();
    for clock in ClockKind::ALL {
        let candidates: Vec<Rule> = fits
            .iter()
            .filter(|r| r.clock == *clock)
            .map(|r| (*r).clone())
            .collect();
        if let Some(best) = pick(&candidates, *clock, on, region)
            && let Some(r) = fits.iter().find(|r| r.code == best.code)
        {
            out.push(r);
        }
    }
    out
}

/// The public calculator's answer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Calculated {
    /// `YYYY-MM-DD`
    pub due: String,
    /// Rest days passed over, `YYYY-MM-DD`.
    pub skipped: Vec<String>,
}

/// A clock's state on `today`: met and exempt stay so; otherwise overdue after the due date, due soon
/// within `soon` working days.
pub fn state_on(
    cal: &WorkCalendar,
    stored: ClockState,
    due: NaiveDate,
    today: NaiveDate,
    soon: u32,
) -> ClockState {
    match stored {
        ClockState::Met | ClockState::Exempt | ClockState::Paused => stored,
        _ if today > due => ClockState::Overdue,
        _ if working_days_left(cal, today, due) <= soon => ClockState::DueSoon,
        _ => ClockState::Running,
    }
}

mod count;
use count::compute;
pub use count::{Due, due_date, is_month_end, resumed, working_days_left};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::official_2024_2026;

    fn cal() -> WorkCalendar {
        WorkCalendar::new(official_2024_2026().into_iter().map(|h| (h.date, h.kind)))
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let rule = |code: &str, region: &str, from: &str, amount| Rule {
            code: code.into(),
            clock: ClockKind::ProceduralReply,
            case_kind: Some(CaseKind::Petition),
            trigger: Trigger::Received,
            amount,
            unit: Unit::CalendarDay,
            next_day: true,
            roll_over: true,
            effective_from: d(from),
            effective_to: None,
            region: region.into(),
            extension_days: 0,
            extensions: 0,
            pausable: Vec::new(),
            version: 1,
            source: String::new(),
        };
        let rules = vec![
            rule("a", "*", "2019-01-01", 7),
            rule("b", "620702", "2019-01-01", 5),
            rule("c", "*", "2030-01-01", 3),
        ];
        let on = d("2026-11-28");
        assert_eq!(
            pick(&rules, ClockKind::ProceduralReply, on, "620702")
                .unwrap()
                .code,
            "b"
        );
        assert_eq!(
            pick(&rules, ClockKind::ProceduralReply, on, "620100")
                .unwrap()
                .code,
            "a"
        );
        assert!(pick(&rules, ClockKind::Handling, on, "620702").is_none());
        let started = started_by(&rules, CaseKind::Petition, Trigger::Received, on, "620702");
        assert_eq!(
            started.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            vec!["b"]
        );
        assert!(started_by(&rules, CaseKind::Dispute, Trigger::Received, on, "620702").is_empty());
        assert!(started_by(&rules, CaseKind::Petition, Trigger::Routed, on, "620702").is_empty());
    }

    #[test]
    fn clock_states() {
        let c = cal();
        let due_on = d("2026-12-04"); // Friday
        assert_eq!(
            state_on(&c, ClockState::Running, due_on, d("2026-11-27"), 2),
            ClockState::Running
        );
        assert_eq!(
            state_on(&c, ClockState::Running, due_on, d("2026-12-02"), 2),
            ClockState::DueSoon
        );
        assert_eq!(
            state_on(&c, ClockState::Running, due_on, d("2026-12-05"), 2),
            ClockState::Overdue
        );
        assert_eq!(
            state_on(&c, ClockState::Met, due_on, d("2026-12-05"), 2),
            ClockState::Met
        );
    }
}
