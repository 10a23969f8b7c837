//! The case workflows as explicit state machines (DOMAIN.md §3.1–§3.4), with the risk gate of §3.5.
//! A transition is allowed only from the states listed for it, only for the roles listed for it, and
//! — for decisions — only with a current risk assessment whose level's conditions are met.

use thiserror::Error;

use crate::policy::{Role, codes};
use crate::risk::RiskLevel;

codes! {
    CaseKind {
        /// §3.2: a petition to the procuratorate (涉法涉诉信访 and other 信访).
        Petition => "petition",
        /// §3.1: a grassroots dispute on the grid ladder (矛盾纠纷).
        Dispute => "dispute",
        /// §3.3: a government petition received from the petition bureau.
        GovPetition => "gov_petition",
        /// §3.4: a minor criminal case arising from a civil dispute.
        MinorCriminal => "minor_criminal",
    }
}

codes! {
    Channel {
        Visit => "visit",
        Letter => "letter",
        Phone => "phone",
        Hotline12309 => "hotline_12309",
        Portal => "portal",
        GridScreening => "grid_screening",
        Referral => "referral",
        CaseHandling => "case_handling",
        ReceptionDay => "reception_day",
    }
}

codes! {
    Status {
        Received => "received",
        Registered => "registered",
        // §3.2 petition
        ProceduralReplied => "procedural_replied",
        NotAccepted => "not_accepted",
        TransferredOut => "transferred_out",
        Accepted => "accepted",
        Handling => "handling",
        ResultReplied => "result_replied",
        UnderReview => "under_review",
        // §3.1 dispute
        RiskGraded => "risk_graded",
        Assigned => "assigned",
        InMediation => "in_mediation",
        Resolved => "resolved",
        Failed => "failed",
        Diverted => "diverted",
        FollowUp => "follow_up",
        // §3.3 government petition
        Routed => "routed",
        OpinionIssued => "opinion_issued",
        InReview => "in_review",
        Reviewed => "reviewed",
        InReReview => "in_rereview",
        Final => "final",
        // §3.4 minor criminal case
        PoliceCaseOpened => "police_case_opened",
        EarlyIntervention => "early_intervention",
        Investigation => "investigation",
        TransferredForReview => "transferred_for_review",
        Reconciliation => "reconciliation",
        ReconciliationReviewed => "reconciliation_reviewed",
        Hearing => "hearing",
        NonProsecution => "non_prosecution",
        Prosecution => "prosecution",
        Announced => "announced",
        Closed => "closed",
    }
}

codes! {
    Command {
        Register => "register",
        ReplyProcedural => "reply_procedural",
        Accept => "accept",
        NotAccept => "not_accept",
        TransferOut => "transfer_out",
        StartHandling => "start_handling",
        ReplyResult => "reply_result",
        RequestReview => "request_review",
        IssueReviewOpinion => "issue_review_opinion",
        Grade => "grade",
        Assign => "assign",
        StartMediation => "start_mediation",
        Resolve => "resolve",
        Fail => "fail",
        Escalate => "escalate",
        Divert => "divert",
        StartFollowUp => "start_follow_up",
        Route => "route",
        IssueOpinion => "issue_opinion",
        RequestReReview => "request_rereview",
        IssueReReviewOpinion => "issue_rereview_opinion",
        Intervene => "intervene",
        Investigate => "investigate",
        TransferForReview => "transfer_for_review",
        StartReconciliation => "start_reconciliation",
        ReviewReconciliation => "review_reconciliation",
        HoldHearing => "hold_hearing",
        DecideNonProsecution => "decide_non_prosecution",
        DecideProsecution => "decide_prosecution",
        Announce => "announce",
        Close => "close",
    }
}

codes! {
    /// The grid ladder of §3.1 ("四级七天"): grid → village → township centre → township.
    Level {
        Grid => "grid",
        Village => "village",
        Centre => "centre",
        Township => "township",
    }
}

impl Level {
    pub fn up(self) -> Option<Level> {
        match self {
            Level::Grid => Some(Level::Village),
            Level::Village => Some(Level::Centre),
            Level::Centre => Some(Level::Township),
            Level::Township => None,
        }
    }
}

use Command as C;
use Status as S;

/// One row of a workflow: from any of these states, this command leads to that state.
pub struct Transition {
    pub from: &'static [Status],
    pub command: Command,
    pub to: Status,
}

const fn t(from: &'static [Status], command: Command, to: Status) -> Transition {
    Transition { from, command, to }
}

/// §3.2: Received → Registered → ProceduralReplySent → {NotAccepted | Transferred | Accepted} →
/// Handling → (progress replies) → ResultReplied → {Closed | Reviewed}.
const PETITION: &[Transition] = &[
    t(&[S::Received], C::Register, S::Registered),
    t(&[S::Registered], C::ReplyProcedural, S::ProceduralReplied),
    t(&[S::ProceduralReplied], C::Accept, S::Accepted),
    t(&[S::ProceduralReplied], C::NotAccept, S::NotAccepted),
    t(&[S::ProceduralReplied], C::TransferOut, S::TransferredOut),
    t(&[S::Accepted], C::StartHandling, S::Handling),
    t(&[S::Handling], C::ReplyResult, S::ResultReplied),
    t(&[S::ResultReplied], C::RequestReview, S::UnderReview),
    t(&[S::UnderReview], C::IssueReviewOpinion, S::ResultReplied),
    t(
        &[S::ResultReplied, S::NotAccepted, S::TransferredOut],
        C::Close,
        S::Closed,
    ),
];

/// §3.1: Discovered → Registered → RiskGraded → Assigned(level) → InMediation →
/// {Resolved | Escalated | Diverted | Failed} → FollowUp → Closed.
const DISPUTE: &[Transition] = &[
    t(&[S::Received], C::Register, S::Registered),
    t(&[S::Registered], C::Grade, S::RiskGraded),
    t(&[S::RiskGraded], C::Assign, S::Assigned),
    t(&[S::Assigned], C::StartMediation, S::InMediation),
    t(&[S::InMediation], C::Resolve, S::Resolved),
    t(&[S::InMediation], C::Fail, S::Failed),
    t(
        &[S::Assigned, S::InMediation, S::Failed],
        C::Escalate,
        S::Assigned,
    ),
    t(&[S::Assigned, S::InMediation, S::Failed], C::Divert, S::Diverted),
    t(&[S::Resolved], C::StartFollowUp, S::FollowUp),
    t(&[S::FollowUp, S::Diverted], C::Close, S::Closed),
];

/// §3.3 (信访工作条例 2022): Registered → Routed → AcceptanceNotified → Handling → Opinion →
/// [Review → [Re-review]] → Final.
const GOV_PETITION: &[Transition] = &[
    t(&[S::Received], C::Register, S::Registered),
    t(&[S::Registered], C::Route, S::Routed),
    t(&[S::Routed], C::Accept, S::Accepted),
    t(&[S::Routed], C::NotAccept, S::NotAccepted),
    t(&[S::Accepted], C::StartHandling, S::Handling),
    t(&[S::Handling], C::IssueOpinion, S::OpinionIssued),
    t(&[S::OpinionIssued], C::RequestReview, S::InReview),
    t(&[S::InReview], C::IssueReviewOpinion, S::Reviewed),
    t(&[S::Reviewed], C::RequestReReview, S::InReReview),
    t(&[S::InReReview], C::IssueReReviewOpinion, S::Final),
    t(
        &[S::OpinionIssued, S::Reviewed, S::Final, S::NotAccepted],
        C::Close,
        S::Closed,
    ),
];

/// §3.4: PoliceCaseOpened → EarlyIntervention → Investigation → TransferredForReview →
/// {Reconciliation → ReconciliationReviewed} → Hearing? → Decision → Announced → FollowUp.
const MINOR_CRIMINAL: &[Transition] = &[
    t(&[S::PoliceCaseOpened], C::Intervene, S::EarlyIntervention),
    t(&[S::EarlyIntervention], C::Investigate, S::Investigation),
    t(&[S::Investigation], C::TransferForReview, S::TransferredForReview),
    t(
        &[S::TransferredForReview],
        C::StartReconciliation,
        S::Reconciliation,
    ),
    t(
        &[S::Reconciliation],
        C::ReviewReconciliation,
        S::ReconciliationReviewed,
    ),
    t(
        &[S::TransferredForReview, S::ReconciliationReviewed],
        C::HoldHearing,
        S::Hearing,
    ),
    t(
        &[S::TransferredForReview, S::ReconciliationReviewed, S::Hearing],
        C::DecideNonProsecution,
        S::NonProsecution,
    ),
    t(
        &[S::TransferredForReview, S::ReconciliationReviewed, S::Hearing],
        C::DecideProsecution,
        S::Prosecution,
    ),
    t(&[S::NonProsecution, S::Prosecution], C::Announce, S::Announced),
    t(&[S::Announced], C::StartFollowUp, S::FollowUp),
    t(&[S::FollowUp], C::Close, S::Closed),
];

impl CaseKind {
    pub fn transitions(self) -> &'static [Transition] {
        match self {
            CaseKind::Petition => PETITION,
            CaseKind::Dispute => DISPUTE,
            CaseKind::GovPetition => GOV_PETITION,
            CaseKind::MinorCriminal => MINOR_CRIMINAL,
        }
    }

    /// Where a case starts: portal submissions wait for a clerk to register them.
    pub fn initial(self, channel: Channel) -> Status {
        match (self, channel) {
            (CaseKind::MinorCriminal, _) => S::PoliceCaseOpened,
            (_, Channel::Portal) => S::Received,
            _ => S::Registered,
        }
    }

    /// Every state the workflow knows.
    pub fn states(self) -> Vec<Status> {
        let mut out = Vec::new();
        for tr in self.transitions() {
            for s in tr.from.iter().chain(std::iter::once(&tr.to)) {
                if !out.contains(s) {
                    out.push(*s);
                }
            }
        }
        out
    }

    pub fn uses_risk_grading(self) -> bool {
        self == CaseKind::Dispute
    }
}

impl Status {
    pub fn is_closed(self) -> bool {
        self == S::Closed
    }
}

/// Decisions that end or settle a case against or for the petitioner; the risk gate stands before
/// them (§3.5: "the decision transition must be impossible while state is NotAssessed").
pub fn is_decision(c: Command) -> bool {
    matches!(
        c,
        C::NotAccept
            | C::ReplyResult
            | C::IssueReviewOpinion
            | C::Grade
            | C::Resolve
            | C::Divert
            | C::IssueOpinion
            | C::IssueReReviewOpinion
            | C::StartReconciliation
            | C::DecideNonProsecution
            | C::DecideProsecution
            | C::Close
    )
}

const PROC_ALL: &[Role] = &[
    Role::ChiefProsecutor,
    Role::Prosecutor,
    Role::ProsecutorAssistant,
    Role::ReceptionClerk,
    Role::JuvenileTeam,
];
const PROC_DECIDE: &[Role] = &[Role::ChiefProsecutor, Role::Prosecutor, Role::JuvenileTeam];
const DISPUTE_ALL: &[Role] = &[
    Role::ChiefProsecutor,
    Role::Prosecutor,
    Role::ReceptionClerk,
    Role::PartnerHandler,
    Role::GridWorker,
];
const DISPUTE_DECIDE: &[Role] = &[
    Role::ChiefProsecutor,
    Role::Prosecutor,
    Role::PartnerHandler,
    Role::GridWorker,
];
const GOV: &[Role] = &[Role::ChiefProsecutor, Role::Prosecutor, Role::PartnerHandler];
const MINOR: &[Role] = &[Role::ChiefProsecutor, Role::Prosecutor, Role::JuvenileTeam];

/// The roles that may give a command on a case of a kind. Clerks register, reply and route;
/// decisions belong to prosecutors (and the handling partner for disputes and government petitions).
pub fn roles_for(kind: CaseKind, c: Command) -> &'static [Role] {
    match kind {
        CaseKind::Petition if is_decision(c) => PROC_DECIDE,
        CaseKind::Petition => PROC_ALL,
        CaseKind::Dispute if is_decision(c) => DISPUTE_DECIDE,
        CaseKind::Dispute => DISPUTE_ALL,
        CaseKind::GovPetition => GOV,
        CaseKind::MinorCriminal => MINOR,
    }
}

/// What the risk gate knows about a case.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RiskFacts {
    /// The latest assessment's level, if it is current (not made stale by a later change).
    pub current: Option<RiskLevel>,
    pub signed_off: bool,
    pub has_plan: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("{command} is not possible in state {from}")]
    NotAllowed { from: Status, command: Command },
    #[error("this decision needs a current risk assessment")]
    NeedsAssessment,
    #[error("a high risk needs a leader's sign-off")]
    NeedsSignOff,
    #[error("a medium or high risk needs a mitigation plan")]
    NeedsPlan,
    #[error("the case is already at the top of the ladder")]
    TopOfLadder,
    #[error("the role may not do this")]
    Role,
}

impl TransitionError {
    /// The translation key of the explanation.
    pub fn key(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "transition-not-allowed",
            TransitionError::NeedsAssessment => "transition-needs-assessment",
            TransitionError::NeedsSignOff => "transition-needs-signoff",
            TransitionError::NeedsPlan => "transition-needs-plan",
            TransitionError::TopOfLadder => "transition-top-of-ladder",
            TransitionError::Role => "transition-role",
        }
    }
}

/// The result of a transition: the new state and the ladder level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub to: Status,
    pub level: Option<Level>,
}

/// The state machine: checks the state, the gate and the ladder, never the role (see [`allowed`]).
pub fn next(
    kind: CaseKind,
    from: Status,
    command: Command,
    level: Option<Level>,
    risk: RiskFacts,
) -> Result<Outcome, TransitionError> {
    let tr = kind
        .transitions()
        .iter()
        .find(|tr| tr.command == command && tr.from.contains(&from))
        .ok_or(TransitionError::NotAllowed { from, command })?;
    if is_decision(command) {
        match risk.current {
            None => return Err(TransitionError::NeedsAssessment),
            Some(RiskLevel::High) if !risk.signed_off => return Err(TransitionError::NeedsSignOff),
            Some(RiskLevel::High | RiskLevel::Medium) if !risk.has_plan => {
                return Err(TransitionError::NeedsPlan);
            }
            Some(_) => {}
        }
    }
    let level = match command {
        C::Assign => Some(level.unwrap_or(Level::Grid)),
        C::Escalate => Some(
            level
                .unwrap_or(Level::Grid)
                .up()
                .ok_or(TransitionError::TopOfLadder)?,
        ),
        _ => level,
    };
    Ok(Outcome { to: tr.to, level })
}

pub fn allowed(kind: CaseKind, command: Command, roles: &[Role]) -> bool {
    roles.iter().any(|r| roles_for(kind, command).contains(r))
}

/// The commands a user with these roles may try from a state (the gate may still refuse them, with
/// its reason).
pub fn available(kind: CaseKind, from: Status, roles: &[Role]) -> Vec<Command> {
    kind.transitions()
        .iter()
        .filter(|tr| tr.from.contains(&from) && allowed(kind, tr.command, roles))
        .map(|tr| tr.command)
        .collect()
}

/// §4.6 (CPL Arts. 288–290): which public-prosecution cases may be reconciled.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct ReconciliationFacts {
    /// Caused by a civil dispute (民间纠纷).
    pub civil_dispute: bool,
    /// The offence is in Criminal Law Part II ch. 4 (person, democratic rights) or ch. 5 (property).
    pub chapter_4_or_5: bool,
    /// A negligent offence other than dereliction of duty.
    pub negligent: bool,
    /// Likely sentence in years.
    pub likely_sentence_years: u32,
    /// The suspect committed an intentional crime within the past five years.
    pub intentional_crime_within_5_years: bool,
}

codes! {
    /// Why a case may not be reconciled.
    Ineligible {
        NotCivilDispute => "not_civil_dispute",
        WrongChapter => "wrong_chapter",
        SentenceTooLong => "sentence_too_long",
        RecentIntentionalCrime => "recent_intentional_crime",
    }
}

impl ReconciliationFacts {
    pub fn check(&self) -> Result<(), Vec<Ineligible>> {
        let mut why = Vec::new();
        if self.intentional_crime_within_5_years {
            why.push(Ineligible::RecentIntentionalCrime);
        }
        if self.negligent {
            if self.likely_sentence_years > 7 {
                why.push(Ineligible::SentenceTooLong);
            }
        } else {
            if !self.civil_dispute {
                why.push(Ineligible::NotCivilDispute);
            }
            if !self.chapter_4_or_5 {
                why.push(Ineligible::WrongChapter);
            }
            if self.likely_sentence_years > 3 {
                why.push(Ineligible::SentenceTooLong);
            }
        }
        if why.is_empty() { Ok(()) } else { Err(why) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEARED: RiskFacts = RiskFacts {
        current: Some(RiskLevel::Low),
        signed_off: false,
        has_plan: false,
    };

    /// Every kind × state × command: allowed exactly when a row of the table says so, and then to
    /// that row's state; otherwise 409-style NotAllowed naming the state and the command.
    #[test]
    fn every_state_and_command_of_every_workflow() {
        for kind in CaseKind::ALL {
            for from in Status::ALL {
                for cmd in Command::ALL {
                    let row = kind
                        .transitions()
                        .iter()
                        .find(|tr| tr.command == *cmd && tr.from.contains(from));
                    let got = next(*kind, *from, *cmd, Some(Level::Grid), CLEARED);
                    match row {
                        Some(tr) => assert_eq!(got.map(|o| o.to), Ok(tr.to), "{kind} {from} {cmd}"),
                        None => assert_eq!(
                            got,
                            Err(TransitionError::NotAllowed {
                                from: *from,
                                command: *cmd
                            }),
                            "{kind} {from} {cmd}"
                        ),
                    }
                }
            }
        }
    }

    #[test]
    fn no_command_is_listed_twice_from_one_state() {
        for kind in CaseKind::ALL {
            for s in kind.states() {
                let cmds: Vec<_> = kind
                    .transitions()
                    .iter()
                    .filter(|tr| tr.from.contains(&s))
                    .map(|tr| tr.command)
                    .collect();
                let mut dedup = cmds.clone();
                dedup.dedup();
                assert_eq!(cmds.len(), dedup.len(), "{kind} {s}");
            }
        }
    }

    #[test]
    fn every_state_is_reachable_and_can_reach_closed() {
        for kind in CaseKind::ALL {
            let starts = [kind.initial(Channel::Portal), kind.initial(Channel::Visit)];
            let mut seen: Vec<Status> = starts.to_vec();
            let mut i = 0;
            while i < seen.len() {
                let here = seen[i];
                for tr in kind.transitions().iter().filter(|tr| tr.from.contains(&here)) {
                    if !seen.contains(&tr.to) {
                        seen.push(tr.to);
                    }
                }
                i += 1;
            }
            for s in kind.states() {
                assert!(seen.contains(&s), "{kind}: {s} unreachable");
                let mut reach = vec![s];
                let mut j = 0;
                while j < reach.len() {
                    let here = reach[j];
                    for tr in kind.transitions().iter().filter(|tr| tr.from.contains(&here)) {
                        if !reach.contains(&tr.to) {
                            reach.push(tr.to);
                        }
                    }
                    j += 1;
                }
                assert!(reach.contains(&S::Closed), "{kind}: {s} cannot close");
            }
            assert!(available(*kind, S::Closed, Role::ALL).is_empty());
        }
    }

    #[test]
    fn no_decision_without_a_current_assessment() {
        for kind in CaseKind::ALL {
            for tr in kind.transitions().iter().filter(|tr| is_decision(tr.command)) {
                for from in tr.from {
                    assert_eq!(
                        next(*kind, *from, tr.command, Some(Level::Grid), RiskFacts::default()),
                        Err(TransitionError::NeedsAssessment),
                        "{kind} {from} {}",
                        tr.command
                    );
                }
            }
        }
    }

    #[test]
    fn high_risk_needs_sign_off_and_a_plan_medium_needs_a_plan() {
        let go = |risk| next(CaseKind::Petition, S::ResultReplied, C::Close, None, risk);
        let high = RiskFacts {
            current: Some(RiskLevel::High),
            ..Default::default()
        };
        assert_eq!(go(high), Err(TransitionError::NeedsSignOff));
        assert_eq!(
            go(RiskFacts {
                signed_off: true,
                ..high
            }),
            Err(TransitionError::NeedsPlan)
        );
        assert!(
            go(RiskFacts {
                signed_off: true,
                has_plan: true,
                ..high
            })
            .is_ok()
        );
        let medium = RiskFacts {
            current: Some(RiskLevel::Medium),
            ..Default::default()
        };
        assert_eq!(go(medium), Err(TransitionError::NeedsPlan));
        assert!(go(CLEARED).is_ok());
    }

    #[test]
    fn the_ladder_climbs_four_levels_and_stops() {
        let mut level = next(CaseKind::Dispute, S::RiskGraded, C::Assign, None, CLEARED)
            .unwrap()
            .level;
        assert_eq!(level, Some(Level::Grid));
        for expected in [Level::Village, Level::Centre, Level::Township] {
            level = next(CaseKind::Dispute, S::Assigned, C::Escalate, level, CLEARED)
                .unwrap()
                .level;
            assert_eq!(level, Some(expected));
        }
        assert_eq!(
            next(CaseKind::Dispute, S::Assigned, C::Escalate, level, CLEARED),
            Err(TransitionError::TopOfLadder)
        );
    }

    #[test]
    fn clerks_register_and_reply_but_do_not_decide() {
        let clerk = [Role::ReceptionClerk];
        assert_eq!(
            available(CaseKind::Petition, S::Registered, &clerk),
            vec![C::ReplyProcedural]
        );
        assert_eq!(
            available(CaseKind::Petition, S::ProceduralReplied, &clerk),
            vec![C::Accept, C::TransferOut]
        );
        assert!(
            available(CaseKind::Petition, S::ResultReplied, &clerk)
                .iter()
                .all(|c| !is_decision(*c))
        );
        assert!(available(CaseKind::Petition, S::Registered, &[Role::Leader]).is_empty());
        assert!(available(CaseKind::Petition, S::Registered, &[Role::SystemAdmin]).is_empty());
    }

    #[test]
    fn reconciliation_eligibility() {
        let ok = ReconciliationFacts {
            civil_dispute: true,
            chapter_4_or_5: true,
            likely_sentence_years: 3,
            ..Default::default()
        };
        assert_eq!(ok.check(), Ok(()));
        assert_eq!(
            ReconciliationFacts {
                likely_sentence_years: 4,
                ..ok
            }
            .check(),
            Err(vec![Ineligible::SentenceTooLong])
        );
        assert_eq!(
            ReconciliationFacts {
                intentional_crime_within_5_years: true,
                ..ok
            }
            .check(),
            Err(vec![Ineligible::RecentIntentionalCrime])
        );
        let negligent = ReconciliationFacts {
            negligent: true,
            likely_sentence_years: 7,
            ..Default::default()
        };
        assert_eq!(negligent.check(), Ok(()));
        assert_eq!(
            ReconciliationFacts {
                likely_sentence_years: 8,
                ..negligent
            }
            .check(),
            Err(vec![Ineligible::SentenceTooLong])
        );
        assert_eq!(
            ReconciliationFacts::default().check(),
            Err(vec![Ineligible::NotCivilDispute, Ineligible::WrongChapter])
        );
    }
}
