//! The case workflows as explicit state machines (DOMAIN.md §3.1–§3.4), with the risk gate of §3.5.
//! A transition is allowed only from the states listed for it, only for the roles listed for it, and
//! — for decisions — only with a current risk assessment whose level's conditions are met.

use thiserror::Error;

use crate::policy::{Role, codes};
use crate::reconciliation::Ineligible;
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
        HearingProposed => "hearing_proposed",
        HearingApproved => "hearing_approved",
        Hearing => "hearing",
        /// CPL Arts. 282–284: a minor suspect's conditional non-prosecution, under supervision.
        ConditionalNonProsecution => "conditional_non_prosecution",
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
        ProposeHearing => "propose_hearing",
        ApproveHearing => "approve_hearing",
        HoldHearing => "hold_hearing",
        DecideConditionalNonProsecution => "decide_conditional_non_prosecution",
        CompleteProbation => "complete_probation",
        RevokeProbation => "revoke_probation",
        AbandonReconciliation => "abandon_reconciliation",
        RefuseHearing => "refuse_hearing",
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
    // §3.4: early intervention "at the right time" — optional.
    t(&[S::PoliceCaseOpened], C::Intervene, S::EarlyIntervention),
    t(
        &[S::PoliceCaseOpened, S::EarlyIntervention],
        C::Investigate,
        S::Investigation,
    ),
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
    // No agreement (the victim does not forgive): back to the review, with the reason.
    t(
        &[S::Reconciliation],
        C::AbandonReconciliation,
        S::TransferredForReview,
    ),
    // §3.6 (Art. 4): a hearing is proposed and approved by the chief prosecutor before it is held.
    t(
        &[S::TransferredForReview, S::ReconciliationReviewed],
        C::ProposeHearing,
        S::HearingProposed,
    ),
    t(&[S::HearingProposed], C::ApproveHearing, S::HearingApproved),
    // Hearing rules Art. 9: a hearing not approved (or withdrawn) is refused with reasons.
    t(
        &[S::HearingProposed, S::HearingApproved],
        C::RefuseHearing,
        S::TransferredForReview,
    ),
    t(&[S::HearingApproved], C::HoldHearing, S::Hearing),
    t(
        &[S::TransferredForReview, S::ReconciliationReviewed, S::Hearing],
        C::DecideNonProsecution,
        S::NonProsecution,
    ),
    t(
        &[S::TransferredForReview, S::ReconciliationReviewed, S::Hearing],
        C::DecideConditionalNonProsecution,
        S::ConditionalNonProsecution,
    ),
    // CPL Art. 284: after the supervision period, non-prosecution; revoked, prosecution.
    t(
        &[S::ConditionalNonProsecution],
        C::CompleteProbation,
        S::NonProsecution,
    ),
    t(
        &[S::ConditionalNonProsecution],
        C::RevokeProbation,
        S::Prosecution,
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

impl Command {
    /// Given by another act rather than on its own: the procedural and the result reply by sending
    /// the reply (§3.2), grading by assessing the risk (§3.1, §3.5). Screens offer these through
    /// that act, not in the list of commands.
    pub fn given_by_another_act(self) -> bool {
        matches!(self, C::ReplyProcedural | C::ReplyResult | C::Grade)
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
            | C::DecideConditionalNonProsecution
            | C::CompleteProbation
            | C::RevokeProbation
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
/// §3.4, §3.6: approving a hearing and deciding not to prosecute are the chief prosecutor's (or
/// the procuratorial committee's, whose decision the chief records).
const CHIEF: &[Role] = &[Role::ChiefProsecutor];

/// The roles that may give a command on a case of a kind. Clerks register, reply and route;
/// decisions belong to prosecutors (and the handling partner for disputes and government petitions).
pub fn roles_for(kind: CaseKind, c: Command) -> &'static [Role] {
    match kind {
        CaseKind::Petition if is_decision(c) => PROC_DECIDE,
        CaseKind::Petition => PROC_ALL,
        CaseKind::Dispute if is_decision(c) => DISPUTE_DECIDE,
        CaseKind::Dispute => DISPUTE_ALL,
        CaseKind::GovPetition => GOV,
        CaseKind::MinorCriminal
            if matches!(
                c,
                C::ApproveHearing
                    | C::RefuseHearing
                    | C::DecideNonProsecution
                    | C::DecideConditionalNonProsecution
                    | C::CompleteProbation
                    | C::RevokeProbation
            ) =>
        {
            CHIEF
        }
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
    /// Mitigation tasks of the latest assessment's plan still undone.
    pub tasks_open: bool,
    /// The latest assessment reassesses a high risk after its mitigation was done.
    pub reassessment: bool,
}

impl RiskFacts {
    /// §3.5 High → mitigation → reassessed: a high risk not yet mitigated (signed off, every task
    /// done) cannot be assessed again.
    pub fn unmitigated_high(self) -> bool {
        self.current == Some(RiskLevel::High) && (!self.signed_off || self.tasks_open)
    }

    /// DOMAIN.md §3.5, `NotAssessed → Assessed(level) → {NoRisk → proceed} | {Risk → MitigationPlan
    /// → Mitigating → Reassessed} → Cleared`: a decision needs a current assessment; a medium risk
    /// needs a mitigation plan; a high one is blocked until it is mitigated — plan, leadership
    /// sign-off, every mitigation task done — and then reassessed. A reassessment that is still high
    /// clears with its own sign-off (the leadership accepts the remaining risk).
    pub fn gate(self) -> Result<(), TransitionError> {
        match self.current {
            None => Err(TransitionError::NeedsAssessment),
            Some(RiskLevel::High | RiskLevel::Medium) if !self.has_plan => Err(TransitionError::NeedsPlan),
            Some(RiskLevel::High) if !self.signed_off => Err(TransitionError::NeedsSignOff),
            Some(RiskLevel::High) if self.tasks_open => Err(TransitionError::NeedsMitigation),
            Some(RiskLevel::High) if !self.reassessment => Err(TransitionError::NeedsReassessment),
            Some(_) => Ok(()),
        }
    }
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
    #[error("a high risk's mitigation tasks are not all done")]
    NeedsMitigation,
    #[error("a mitigated high risk must be reassessed")]
    NeedsReassessment,
    #[error("the case is already at the top of the ladder")]
    TopOfLadder,
    #[error("the role may not do this")]
    Role,
    #[error("this command needs a reason")]
    ReasonRequired,
    #[error("the reconciliation conditions are not recorded")]
    ReconciliationNotChecked,
    #[error("the case may not be reconciled")]
    Ineligible(Vec<Ineligible>),
    #[error("conditional non-prosecution is for a minor suspect")]
    NotMinorSuspect,
    #[error("conditional non-prosecution needs a likely sentence of at most a year")]
    ConditionalSentence,
}

impl TransitionError {
    /// The translation key of the explanation.
    pub fn key(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "transition-not-allowed",
            TransitionError::NeedsAssessment => "transition-needs-assessment",
            TransitionError::NeedsSignOff => "transition-needs-signoff",
            TransitionError::NeedsPlan => "transition-needs-plan",
            TransitionError::NeedsMitigation => "transition-needs-mitigation",
            TransitionError::NeedsReassessment => "transition-needs-reassessment",
            TransitionError::TopOfLadder => "transition-top-of-ladder",
            TransitionError::Role => "transition-role",
            TransitionError::ReasonRequired => "reason-required",
            TransitionError::ReconciliationNotChecked => "reconciliation-not-checked",
            TransitionError::Ineligible(_) => "reconciliation-ineligible",
            TransitionError::NotMinorSuspect => "conditional-not-minor",
            TransitionError::ConditionalSentence => "conditional-sentence",
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
/// The use cases call [`apply`], which also says what the step does.
pub(crate) fn next(
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
        risk.gate()?;
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
/// The commands the roles may give from `from`; for a case whose replies are exempt, also those
/// that follow a reply it will never get (see [`past_unsent_reply`]).
pub fn available(kind: CaseKind, from: Status, roles: &[Role], replies_exempt: bool) -> Vec<Command> {
    kind.transitions()
        .iter()
        .filter(|tr| {
            let at = if replies_exempt {
                past_unsent_reply(kind, from, tr.command)
            } else {
                from
            };
            tr.from.contains(&at) && allowed(kind, tr.command, roles)
        })
        .map(|tr| tr.command)
        .collect()
}

/// §3.2 exemptions: a petition that cannot be answered — anonymous, or with no contact — gets
/// no procedural or result reply, so the step after each reply is taken from where the case
/// stands: accepting (or not, or transferring) from "registered", closing from "handling". The
/// state the step is read from.
pub fn past_unsent_reply(kind: CaseKind, from: Status, command: Command) -> Status {
    match (kind, from, command) {
        (CaseKind::Petition, S::Registered, C::Accept | C::NotAccept | C::TransferOut) => {
            S::ProceduralReplied
        }
        (CaseKind::Petition, S::Handling, C::Close) => S::ResultReplied,
        _ => from,
    }
}

mod effects;
mod steps;
pub use effects::{Effects, Exempt, Facts, apply};
pub use steps::{Step, Steps, needs_reason, steps};

#[cfg(test)]
mod tests;
