//! What a case offers next, for the case page: every command the state and the viewer's roles
//! allow, which of them the risk gate or the ladder still holds back and why, the one the
//! workflow expects next, and the commands of this state that belong to someone else.

use super::roles_for;
use super::{CaseKind, Command, Level, RiskFacts, Status, TransitionError, available, is_decision};
use crate::policy::Role;

use Command as C;

/// Commands that refuse, hand off or end a step against the petitioner's wish: each needs its
/// reason on record (§3.1–§3.4; hearing rules Art. 9; CPL Art. 284).
pub fn needs_reason(c: Command) -> bool {
    matches!(
        c,
        C::NotAccept
            | C::TransferOut
            | C::Divert
            | C::Fail
            | C::AbandonReconciliation
            | C::RefuseHearing
            | C::RevokeProbation
    )
}

/// One command the viewer may give from the current state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub command: Command,
    /// Why it cannot be given yet (the risk gate of §3.5, the top of the ladder of §3.1).
    pub blocked: Option<TransitionError>,
    /// The step the workflow expects next (the main path, not a refusal or a side road).
    pub expected: bool,
    /// The command needs its reason in the note.
    pub needs_reason: bool,
}

/// What the case page offers: the viewer's steps, in workflow order, and the commands of this
/// state that only other roles give, with those roles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Steps {
    pub offered: Vec<Step>,
    pub others: Vec<(Command, &'static [Role])>,
}

impl Steps {
    pub fn expected(&self) -> Option<&Step> {
        self.offered.iter().find(|s| s.expected)
    }
}

/// Side roads: refusals, hand-offs, a party's request, an optional step. The expected step is the
/// first of the others in the workflow's order (the tables list the main path first).
fn side_road(c: Command) -> bool {
    needs_reason(c)
        || matches!(
            c,
            C::Escalate
                | C::RequestReview
                | C::RequestReReview
                | C::Intervene
                | C::DecideConditionalNonProsecution
                | C::DecideProsecution
        )
}

/// The steps of a case in `from` for a viewer with `roles` (§3.1–§3.5).
pub fn steps(
    kind: CaseKind,
    from: Status,
    roles: &[Role],
    replies_exempt: bool,
    risk: RiskFacts,
    level: Option<Level>,
) -> Steps {
    let mine = available(kind, from, roles, replies_exempt);
    let mut offered: Vec<Step> = mine
        .iter()
        .map(|&command| Step {
            command,
            blocked: blocked(command, risk, level),
            expected: false,
            needs_reason: needs_reason(command),
        })
        .collect();
    if let Some(first) = offered.iter_mut().find(|s| !side_road(s.command)) {
        first.expected = true;
    }
    let others = available(kind, from, Role::ALL, replies_exempt)
        .into_iter()
        .filter(|c| !mine.contains(c))
        .map(|c| (c, roles_for(kind, c)))
        .collect();
    Steps { offered, others }
}

fn blocked(command: Command, risk: RiskFacts, level: Option<Level>) -> Option<TransitionError> {
    // §3.1 step 3: a dispute is graded by its assessment, which is what the gate asks for — the
    // step leads to the risk panel, where what is still needed is said.
    if command == C::Grade {
        return None;
    }
    if is_decision(command)
        && let Err(e) = risk.gate()
    {
        return Some(e);
    }
    (command == C::Escalate && level.unwrap_or(Level::Grid).up().is_none())
        .then_some(TransitionError::TopOfLadder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::RiskLevel;

    const LOW: RiskFacts = RiskFacts {
        current: Some(RiskLevel::Low),
        signed_off: false,
        has_plan: false,
        tasks_open: false,
        reassessment: false,
    };

    fn codes(s: &Steps) -> Vec<&'static str> {
        s.offered.iter().map(|x| x.command.code()).collect()
    }

    #[test]
    fn a_registered_petition_expects_the_procedural_reply_and_a_clerk_sees_who_decides() {
        let s = steps(
            CaseKind::Petition,
            Status::Registered,
            &[Role::ReceptionClerk],
            false,
            RiskFacts::default(),
            None,
        );
        assert_eq!(codes(&s), ["reply_procedural"]);
        assert!(s.expected().is_some_and(|x| x.command == C::ReplyProcedural));
        // After the procedural reply the clerk accepts or transfers; not accepting is a decision
        // that the prosecutors take.
        let s = steps(
            CaseKind::Petition,
            Status::ProceduralReplied,
            &[Role::ReceptionClerk],
            false,
            RiskFacts::default(),
            None,
        );
        assert_eq!(codes(&s), ["accept", "transfer_out"]);
        assert_eq!(s.expected().map(|x| x.command), Some(C::Accept));
        assert!(s.offered[1].needs_reason);
        assert_eq!(s.others.len(), 1);
        assert_eq!(s.others[0].0, C::NotAccept);
        assert!(s.others[0].1.contains(&Role::Prosecutor));
    }

    #[test]
    fn the_gate_holds_back_decisions_with_its_reason_and_the_ladder_its_top() {
        let s = steps(
            CaseKind::Petition,
            Status::Handling,
            &[Role::Prosecutor],
            false,
            RiskFacts::default(),
            None,
        );
        let reply = &s.offered[0];
        assert_eq!(reply.command, C::ReplyResult);
        assert!(reply.expected);
        assert_eq!(reply.blocked, Some(TransitionError::NeedsAssessment));
        let s = steps(
            CaseKind::Petition,
            Status::Handling,
            &[Role::Prosecutor],
            false,
            LOW,
            None,
        );
        assert_eq!(s.offered[0].blocked, None);
        // A dispute at the township level cannot go higher on the ladder.
        let s = steps(
            CaseKind::Dispute,
            Status::InMediation,
            &[Role::GridWorker],
            false,
            LOW,
            Some(Level::Township),
        );
        assert_eq!(s.expected().map(|x| x.command), Some(C::Resolve));
        let esc = s.offered.iter().find(|x| x.command == C::Escalate).unwrap();
        assert_eq!(esc.blocked, Some(TransitionError::TopOfLadder));
    }

    #[test]
    fn a_dispute_is_graded_by_assessing_it_so_grading_is_never_held_back() {
        let s = steps(
            CaseKind::Dispute,
            Status::Registered,
            &[Role::GridWorker],
            false,
            RiskFacts::default(),
            None,
        );
        assert_eq!(s.offered.len(), 1);
        assert_eq!(s.offered[0].command, C::Grade);
        assert!(s.offered[0].expected && s.offered[0].blocked.is_none());
    }

    #[test]
    fn a_closed_case_offers_nothing() {
        let s = steps(
            CaseKind::Dispute,
            Status::Closed,
            Role::ALL,
            false,
            LOW,
            Some(Level::Grid),
        );
        assert_eq!(s, Steps::default());
    }
}
