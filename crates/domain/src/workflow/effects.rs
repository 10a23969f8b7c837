//! What a workflow command does besides moving the state: the clocks it meets, starts or exempts,
//! whether it needs a reason, whether the risk assessment goes stale, whether the public sees the
//! event. One table for the use case and the demo generator alike (DOMAIN.md §3.1–§3.5); nothing
//! else decides these.

use crate::deadline::{ClockKind, Trigger};
use crate::reconciliation::ReconciliationFacts;

use super::{CaseKind, Command, Level, RiskFacts, Status, TransitionError, next};

use ClockKind as K;
use Command as C;

/// What the case knows when a command is given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The rung of the grid ladder the case is on (disputes).
    pub level: Option<Level>,
    pub risk: RiskFacts,
    /// The user gave a reason (a non-blank note).
    pub reason_given: bool,
    /// The recorded reconciliation conditions of a criminal case, if they were checked.
    pub reconciliation: Option<ReconciliationFacts>,
    /// The case cannot be answered (§3.2: anonymous, no contact): its reply steps are skipped.
    pub replies_exempt: bool,
    /// A suspect of the case is a minor (CPL Art. 282: conditional non-prosecution).
    pub minor_suspect: bool,
}

/// Which of the case's open (running or paused) clocks a command ends without meeting them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exempt {
    Nothing,
    /// These kinds, with the reason the user gave: a petition not accepted or transferred out is
    /// not handled here, so its result, progress and handling clocks do not run (§3.2, §3.3).
    Kinds(&'static [ClockKind]),
    /// Every open clock of the agency's duties, because the case is closed. The parties' own
    /// time (judicial confirmation, §3.1) runs on: they may still apply after the case is closed.
    AllOpen,
}

impl Exempt {
    /// Whether an open clock of this kind ends with the command.
    pub fn covers(self, kind: ClockKind) -> bool {
        match self {
            Exempt::Nothing => false,
            Exempt::Kinds(kinds) => kinds.contains(&kind),
            Exempt::AllOpen => !kind.is_parties_time(),
        }
    }
}

/// What a command does, when the state machine and the gate let it through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effects {
    pub to: Status,
    pub level: Option<Level>,
    /// Running clocks of these kinds are met now.
    pub meet: &'static [ClockKind],
    /// The clock rules with this trigger start counting today.
    pub start: Option<Trigger>,
    pub exempt: Exempt,
    /// The user must say why (refusals against the petitioner and returns carry their reasons).
    pub reason_required: bool,
    /// New facts: the earlier risk assessment no longer counts (§3.5).
    pub risk_stale: bool,
    /// The petitioner may read the event in the portal (§6.1: status changes, not the reasoning).
    pub public: bool,
    /// The case ends: its closing time is set.
    pub closes: bool,
    /// The command may name the handler who takes the case on.
    pub names_handler: bool,
    /// The command records its own event; a reply that is also a workflow step is recorded once,
    /// by the reply.
    pub own_event: bool,
}

/// The urgent-handling clock (告急, §3.1) is met by whoever first takes the case on.
const TAKES_ON: &[ClockKind] = &[K::UrgentHandling];

/// Checks a command against the state machine, the risk gate, the ladder, the reason and (for
/// criminal reconciliation) the statutory conditions, and says what it does. Never checks roles:
/// see [`super::allowed`].
pub fn apply(
    kind: CaseKind,
    from: Status,
    command: Command,
    facts: Facts,
) -> Result<Effects, TransitionError> {
    let from = if facts.replies_exempt {
        super::past_unsent_reply(kind, from, command)
    } else {
        from
    };
    let out = next(kind, from, command, facts.level, facts.risk)?;
    if super::needs_reason(command) && !facts.reason_given {
        return Err(TransitionError::ReasonRequired);
    }
    // CPL Art. 282: a minor suspect, an offence likely punished by at most a year (the recorded
    // facts say so), remorse shown (the reason given). Art. 284: revoked only on its grounds.
    if command == C::DecideConditionalNonProsecution {
        if !facts.minor_suspect {
            return Err(TransitionError::NotMinorSuspect);
        }
        if facts.reconciliation.is_none_or(|f| f.sentence_months() > 12) {
            return Err(TransitionError::ConditionalSentence);
        }
    }
    // CPL Arts. 288–290 (§4.6): reconciliation only where the conditions are recorded and met.
    if command == C::StartReconciliation {
        let recorded = facts
            .reconciliation
            .ok_or(TransitionError::ReconciliationNotChecked)?;
        recorded.check().map_err(TransitionError::Ineligible)?;
    }
    let (meet, start, exempt): (&'static [ClockKind], Option<Trigger>, Exempt) = match command {
        C::Register | C::Assign | C::Intervene => (TAKES_ON, None, Exempt::Nothing),
        // §3.2 (2007 rule, tracked alongside): the transfer to the handling department is done
        // and its 60 days start.
        C::StartHandling if kind == CaseKind::Petition => (
            &[K::UrgentHandling, K::InternalTransfer],
            Some(Trigger::HandlingStarted),
            Exempt::Nothing,
        ),
        C::StartHandling => (TAKES_ON, None, Exempt::Nothing),
        // §3.3: routed within 15 days; the competent organ then decides on acceptance.
        C::Route => (&[K::Routing], Some(Trigger::Routed), Exempt::Nothing),
        // §3.3: accepted, the 60-day handling clock starts.
        C::Accept if kind == CaseKind::GovPetition => {
            (&[K::Acceptance], Some(Trigger::Accepted), Exempt::Nothing)
        }
        // §3.2 (2007 rule): an accepted petition goes to the handling department within 7 days.
        C::Accept => (&[], Some(Trigger::Accepted), Exempt::Nothing),
        C::NotAccept | C::TransferOut => (
            &[K::Acceptance, K::Routing, K::AcceptanceNotice],
            None,
            Exempt::Kinds(&[
                K::ResultReply,
                K::ProgressReply,
                K::Handling,
                K::InternalTransfer,
                K::InternalHandling,
            ]),
        ),
        // §3.3 (信访工作条例 Arts. 35–36): the written opinion opens the petitioner's 30 days to
        // request review; the request closes that window and starts the 30-day review; the
        // review opinion opens the 30 days for re-review, and so on.
        C::IssueOpinion => (&[K::Handling], Some(Trigger::OpinionIssued), Exempt::Nothing),
        C::RequestReview => (
            &[K::ReviewWindow],
            Some(Trigger::ReviewRequested),
            Exempt::Nothing,
        ),
        C::IssueReviewOpinion => (
            &[K::ReviewOpinion],
            Some(Trigger::ReviewOpinionIssued),
            Exempt::Nothing,
        ),
        C::RequestReReview => (
            &[K::ReReviewWindow],
            Some(Trigger::ReReviewRequested),
            Exempt::Nothing,
        ),
        // A re-review begun before re-review had its own clock ran on the review-opinion clock.
        C::IssueReReviewOpinion => (&[K::ReReviewOpinion, K::ReviewOpinion], None, Exempt::Nothing),
        // CPL Art. 283: the supervision period (6 to 12 months) runs from the decision.
        C::DecideConditionalNonProsecution => (&[], Some(Trigger::ConditionalDecision), Exempt::Nothing),
        C::CompleteProbation | C::RevokeProbation => (&[K::Probation], None, Exempt::Nothing),
        // §3.1: the grid's 7-day closure clock ends with the dispute settled or diverted.
        C::Resolve | C::Divert => (&[K::GridClosure, K::UrgentHandling], None, Exempt::Nothing),
        C::Close => (TAKES_ON, None, Exempt::AllOpen),
        _ => (&[], None, Exempt::Nothing),
    };
    Ok(Effects {
        to: out.to,
        level: out.level,
        meet,
        start,
        exempt,
        reason_required: super::needs_reason(command),
        risk_stale: matches!(command, C::RequestReview | C::RequestReReview | C::Escalate),
        public: matches!(
            command,
            C::Register | C::Accept | C::NotAccept | C::TransferOut | C::Close | C::Route
        ),
        closes: command == C::Close,
        names_handler: matches!(command, C::Assign | C::StartHandling | C::Escalate),
        own_event: !matches!(command, C::ReplyProcedural | C::ReplyResult),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::RiskLevel;
    use Status as S;

    const ELIGIBLE: ReconciliationFacts = ReconciliationFacts {
        civil_dispute: true,
        chapter_4_or_5: true,
        negligent: false,
        likely_sentence_years: 0,
        likely_sentence_months: 8,
        intentional_crime_within_5_years: false,
    };

    /// Everything a command could need: a cleared assessment, a reason, eligible conditions.
    fn all_met(level: Option<Level>) -> Facts {
        Facts {
            level,
            risk: RiskFacts {
                current: Some(RiskLevel::Low),
                ..RiskFacts::default()
            },
            reason_given: true,
            reconciliation: Some(ELIGIBLE),
            replies_exempt: false,
            minor_suspect: true,
        }
    }

    fn row(kind: CaseKind, from: Status, command: Command) -> Option<&'static super::super::Transition> {
        kind.transitions()
            .iter()
            .find(|t| t.command == command && t.from.contains(&from))
    }

    /// Every kind × state × command: with everything met, `apply` goes exactly where a row of the
    /// table says, and is otherwise refused naming the state and the command.
    #[test]
    fn apply_follows_the_table_in_every_state() {
        let mut allowed = 0;
        for kind in CaseKind::ALL {
            for from in Status::ALL {
                for command in Command::ALL {
                    let got = apply(*kind, *from, *command, all_met(Some(Level::Grid)));
                    match row(*kind, *from, *command) {
                        Some(t) => {
                            assert_eq!(got.map(|e| e.to), Ok(t.to), "{kind} {from} {command}");
                            allowed += 1;
                        }
                        None => assert_eq!(
                            got,
                            Err(TransitionError::NotAllowed {
                                from: *from,
                                command: *command
                            }),
                            "{kind} {from} {command}"
                        ),
                    }
                }
            }
        }
        assert!(allowed > 40, "{allowed} allowed transitions");
    }

    /// What each effect means holds wherever the command is allowed.
    #[test]
    fn every_allowed_step_has_consistent_effects() {
        for kind in CaseKind::ALL {
            for from in Status::ALL {
                for command in Command::ALL {
                    if row(*kind, *from, *command).is_none() {
                        continue;
                    }
                    let e = apply(*kind, *from, *command, all_met(Some(Level::Grid))).unwrap();
                    let at = format!("{kind} {from} {command}");
                    // Only closing closes, and it ends every open clock.
                    assert_eq!(e.closes, *command == C::Close, "{at}");
                    assert_eq!(e.closes, e.to == S::Closed, "{at}");
                    assert_eq!(e.exempt == Exempt::AllOpen, e.closes, "{at}");
                    // A case not taken on here stops its handling clocks, with the reason given.
                    if let Exempt::Kinds(kinds) = e.exempt {
                        assert!(matches!(command, C::NotAccept | C::TransferOut), "{at}");
                        assert!(e.reason_required && kinds.contains(&K::Handling), "{at}");
                    }
                    // Refusals, returns and revocations carry reasons; nothing else asks for one.
                    assert_eq!(
                        e.reason_required,
                        matches!(
                            command,
                            C::NotAccept
                                | C::TransferOut
                                | C::Divert
                                | C::Fail
                                | C::AbandonReconciliation
                                | C::RefuseHearing
                                | C::RevokeProbation
                        ),
                        "{at}"
                    );
                    // New facts make the assessment stale; a decision never does.
                    if e.risk_stale {
                        assert!(!super::super::is_decision(*command), "{at}");
                        assert!(
                            matches!(command, C::RequestReview | C::RequestReReview | C::Escalate),
                            "{at}"
                        );
                    }
                    // The portal shows status changes; a reply step's event is the reply's.
                    assert_eq!(
                        e.own_event,
                        !matches!(command, C::ReplyProcedural | C::ReplyResult),
                        "{at}"
                    );
                    if e.public {
                        assert!(e.own_event, "{at}");
                    }
                    // Taking the case on meets the urgent-handling clock (§3.1 告急).
                    if matches!(command, C::Register | C::Assign | C::StartHandling | C::Intervene) {
                        assert!(e.meet.contains(&K::UrgentHandling), "{at}");
                    }
                }
            }
        }
    }

    /// §3.3 step by step: routing meets the 15-day routing clock and starts acceptance; acceptance
    /// starts the 60-day handling clock; the opinion meets it; a review request starts the 30-day
    /// review-opinion clock and makes the assessment stale; the review opinion meets it.
    #[test]
    fn a_government_petition_step_by_step() {
        let kind = CaseKind::GovPetition;
        /// From, command, clocks met, clocks started, assessment stale, public.
        type Step = (Status, Command, &'static [ClockKind], Option<Trigger>, bool, bool);
        let steps: &[Step] = &[
            (
                S::Registered,
                C::Route,
                &[K::Routing],
                Some(Trigger::Routed),
                false,
                true,
            ),
            (
                S::Routed,
                C::Accept,
                &[K::Acceptance],
                Some(Trigger::Accepted),
                false,
                true,
            ),
            (
                S::Accepted,
                C::StartHandling,
                &[K::UrgentHandling],
                None,
                false,
                false,
            ),
            (
                S::Handling,
                C::IssueOpinion,
                &[K::Handling],
                Some(Trigger::OpinionIssued),
                false,
                false,
            ),
            (
                S::OpinionIssued,
                C::RequestReview,
                &[K::ReviewWindow],
                Some(Trigger::ReviewRequested),
                true,
                false,
            ),
            (
                S::InReview,
                C::IssueReviewOpinion,
                &[K::ReviewOpinion],
                Some(Trigger::ReviewOpinionIssued),
                false,
                false,
            ),
            (
                S::Reviewed,
                C::RequestReReview,
                &[K::ReReviewWindow],
                Some(Trigger::ReReviewRequested),
                true,
                false,
            ),
            (
                S::InReReview,
                C::IssueReReviewOpinion,
                &[K::ReReviewOpinion, K::ReviewOpinion],
                None,
                false,
                false,
            ),
            (S::Final, C::Close, &[K::UrgentHandling], None, false, true),
        ];
        for (from, command, meet, start, stale, public) in steps {
            let e = apply(kind, *from, *command, all_met(None)).unwrap();
            assert_eq!(
                (e.meet, e.start, e.risk_stale, e.public),
                (*meet, *start, *stale, *public),
                "{from} {command}"
            );
        }
    }

    /// A petition accepted by the procuratorate has no acceptance clock to meet; its acceptance
    /// starts the 2007 rule's 7-day internal transfer (the rules filter which clocks by case kind),
    /// and taking it on meets that and starts the department's 60 days.
    #[test]
    fn acceptance_and_taking_on_start_the_2007_rule_s_clocks() {
        let e = apply(CaseKind::Petition, S::ProceduralReplied, C::Accept, all_met(None)).unwrap();
        assert_eq!((e.meet, e.start), (&[][..], Some(Trigger::Accepted)));
        let e = apply(CaseKind::Petition, S::Accepted, C::StartHandling, all_met(None)).unwrap();
        assert_eq!(
            (e.meet, e.start),
            (
                &[K::UrgentHandling, K::InternalTransfer][..],
                Some(Trigger::HandlingStarted)
            )
        );
        let e = apply(
            CaseKind::Petition,
            S::ProceduralReplied,
            C::NotAccept,
            all_met(None),
        )
        .unwrap();
        assert_eq!(
            e.exempt,
            Exempt::Kinds(&[
                K::ResultReply,
                K::ProgressReply,
                K::Handling,
                K::InternalTransfer,
                K::InternalHandling
            ])
        );
    }

    /// The order of refusals: the state first, then the gate, then the reason, then the statute.
    #[test]
    fn refusals_come_in_order() {
        let no_reason = Facts {
            reason_given: false,
            ..all_met(None)
        };
        assert!(matches!(
            apply(CaseKind::Petition, S::Handling, C::NotAccept, no_reason),
            Err(TransitionError::NotAllowed { .. })
        ));
        let unassessed = Facts {
            risk: RiskFacts::default(),
            ..no_reason
        };
        assert_eq!(
            apply(CaseKind::Petition, S::ProceduralReplied, C::NotAccept, unassessed),
            Err(TransitionError::NeedsAssessment)
        );
        assert_eq!(
            apply(CaseKind::Petition, S::ProceduralReplied, C::NotAccept, no_reason),
            Err(TransitionError::ReasonRequired)
        );
        // TransferOut is not a decision: no assessment needed, but a reason is.
        assert_eq!(
            apply(
                CaseKind::Petition,
                S::ProceduralReplied,
                C::TransferOut,
                unassessed
            ),
            Err(TransitionError::ReasonRequired)
        );
        let mut dispute = all_met(Some(Level::Grid));
        dispute.reason_given = false;
        assert_eq!(
            apply(CaseKind::Dispute, S::InMediation, C::Fail, dispute),
            Err(TransitionError::ReasonRequired)
        );
    }

    /// CPL Arts. 288–290: reconciliation needs the conditions recorded and met.
    #[test]
    fn reconciliation_needs_the_conditions_recorded_and_met() {
        let go = |reconciliation| {
            apply(
                CaseKind::MinorCriminal,
                S::TransferredForReview,
                C::StartReconciliation,
                Facts {
                    reconciliation,
                    ..all_met(None)
                },
            )
        };
        assert_eq!(go(None), Err(TransitionError::ReconciliationNotChecked));
        let too_long = ReconciliationFacts {
            likely_sentence_months: 40,
            ..ELIGIBLE
        };
        assert_eq!(
            go(Some(too_long)),
            Err(TransitionError::Ineligible(vec![
                crate::reconciliation::Ineligible::SentenceTooLong
            ]))
        );
        assert_eq!(go(Some(ELIGIBLE)).map(|e| e.to), Ok(S::Reconciliation));
    }

    /// Escalation climbs the ladder and makes the assessment stale (the next level assesses again).
    #[test]
    fn escalation_climbs_and_makes_the_assessment_stale() {
        let e = apply(
            CaseKind::Dispute,
            S::Assigned,
            C::Escalate,
            all_met(Some(Level::Village)),
        )
        .unwrap();
        assert_eq!(
            (e.level, e.risk_stale, e.names_handler),
            (Some(Level::Centre), true, true)
        );
        assert_eq!(
            apply(
                CaseKind::Dispute,
                S::Assigned,
                C::Escalate,
                all_met(Some(Level::Township))
            ),
            Err(TransitionError::TopOfLadder)
        );
    }
}
