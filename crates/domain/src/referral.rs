//! Referrals (交办): a case handed to another agency for an answer by a date (DOMAIN.md §3.6). The
//! receiving agency accepts, returns (with a reason) or reports back (with its result); the sending
//! agency may revoke an open referral. Nobody else learns that the referral exists.

use crate::org::AgencyKind;
use crate::policy::codes;
use crate::workflow::CaseKind;

codes! {
    ReferralState {
        Pending => "pending",
        Accepted => "accepted",
        Returned => "returned",
        Reported => "reported",
        Revoked => "revoked",
    }
}

codes! {
    /// What an agency does with a referral.
    Answer {
        Accept => "accept",
        Return => "return",
        Report => "report",
        Revoke => "revoke",
    }
}

/// The answering agency's side of the referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Receiving,
    Sending,
    /// Neither: to this agency the referral does not exist.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A return needs its reason, a report its result.
    NeedsText,
    /// The referral is closed, or the answer is the other side's.
    NotOpen,
    /// Not this agency's referral: answered as if it did not exist.
    Unknown,
}

impl ReferralState {
    pub fn is_open(self) -> bool {
        matches!(self, ReferralState::Pending | ReferralState::Accepted)
    }
}

/// The state after an answer, or why the answer is refused.
pub fn answer(
    state: ReferralState,
    answer: Answer,
    side: Side,
    text_given: bool,
) -> Result<ReferralState, Refusal> {
    let to = match (answer, side) {
        (_, Side::Other) => return Err(Refusal::Unknown),
        (Answer::Accept, Side::Receiving) if state == ReferralState::Pending => ReferralState::Accepted,
        (Answer::Return, Side::Receiving) if state.is_open() => ReferralState::Returned,
        (Answer::Report, Side::Receiving) if state.is_open() => ReferralState::Reported,
        (Answer::Revoke, Side::Sending) if state.is_open() => ReferralState::Revoked,
        _ => return Err(Refusal::NotOpen),
    };
    if matches!(to, ReferralState::Returned | ReferralState::Reported) && !text_given {
        return Err(Refusal::NeedsText);
    }
    Ok(to)
}

/// Work the receiving agency does in the referred case (issue 10 §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiverWork {
    /// A mediation session, with the signed agreement attached.
    Mediation,
    /// Material added to the case file.
    Attachment,
    /// The reply to the citizen.
    Reply,
}

/// Whether the receiver may do `work` in the case: only once it has accepted the referral and until
/// it answers it; the reply to the citizen only when the sender asked it to answer directly
/// (DOMAIN.md §3.2: the reply comes from the body that resolved the matter; otherwise the sender
/// answers, from the receiver's report).
pub fn receiver_may(state: ReferralState, reply_requested: bool, work: ReceiverWork) -> bool {
    state == ReferralState::Accepted && (work != ReceiverWork::Reply || reply_requested)
}

/// Whether the sender may ask the receiver to reply to the citizen itself: on a government petition
/// the organ that handles it issues the opinion (DOMAIN.md §3.3), on a dispute the body that
/// resolves it tells the parties (§3.1); a petition to the procuratorate (§3.2) and a minor criminal
/// case (§3.4) are answered by the procuratorate.
pub fn reply_may_be_delegated(kind: CaseKind) -> bool {
    matches!(kind, CaseKind::Dispute | CaseKind::GovPetition)
}

codes! {
    /// Why an agency is offered first when a case is referred (issue 10 §4; DOMAIN.md §0.1: a
    /// dispute is resolved where it arose, by the township's centre and the village's 1+4+6 people).
    Suggestion {
        TownshipCentre => "township_centre",
        Township => "township",
        Roster => "roster",
    }
}

/// The suggestion for an agency, best first by the order of `Suggestion`: the governance centre of
/// the case's township, then the other agencies of the township or village, then the agencies of
/// the village's roster and the township's patch owner.
pub fn suggestion(kind: AgencyKind, in_township: bool, on_roster: bool) -> Option<Suggestion> {
    match (in_township, on_roster) {
        (true, _) if kind == AgencyKind::GovernanceCentre => Some(Suggestion::TownshipCentre),
        (true, _) => Some(Suggestion::Township),
        (false, true) => Some(Suggestion::Roster),
        (false, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receiver_works_only_in_an_accepted_referral_and_replies_only_when_asked() {
        use ReceiverWork as W;
        for state in ReferralState::ALL {
            for asked in [false, true] {
                for w in [W::Mediation, W::Attachment, W::Reply] {
                    let want = *state == ReferralState::Accepted && (w != W::Reply || asked);
                    assert_eq!(receiver_may(*state, asked, w), want, "{state} {asked} {w:?}");
                }
            }
        }
    }

    #[test]
    fn the_procuratorate_keeps_the_reply_on_its_own_cases() {
        assert!(reply_may_be_delegated(CaseKind::Dispute));
        assert!(reply_may_be_delegated(CaseKind::GovPetition));
        assert!(!reply_may_be_delegated(CaseKind::Petition));
        assert!(!reply_may_be_delegated(CaseKind::MinorCriminal));
    }

    #[test]
    fn the_township_centre_comes_first_then_the_township_then_the_roster() {
        use AgencyKind as K;
        assert_eq!(
            suggestion(K::GovernanceCentre, true, false),
            Some(Suggestion::TownshipCentre)
        );
        assert_eq!(
            suggestion(K::JusticeOffice, true, true),
            Some(Suggestion::Township)
        );
        assert_eq!(suggestion(K::Court, false, true), Some(Suggestion::Roster));
        // Another township's centre is not suggested.
        assert_eq!(suggestion(K::GovernanceCentre, false, false), None);
        assert!(
            Suggestion::TownshipCentre < Suggestion::Township && Suggestion::Township < Suggestion::Roster
        );
    }

    /// Every state × answer × side: only the rows of the module's doc lead anywhere.
    #[test]
    fn every_answer_from_every_state_and_side() {
        use ReferralState as S;
        for state in ReferralState::ALL {
            for a in Answer::ALL {
                for side in [Side::Receiving, Side::Sending, Side::Other] {
                    let got = answer(*state, *a, side, true);
                    let want = match (a, side) {
                        (_, Side::Other) => Err(Refusal::Unknown),
                        (Answer::Accept, Side::Receiving) if *state == S::Pending => Ok(S::Accepted),
                        (Answer::Return, Side::Receiving) if state.is_open() => Ok(S::Returned),
                        (Answer::Report, Side::Receiving) if state.is_open() => Ok(S::Reported),
                        (Answer::Revoke, Side::Sending) if state.is_open() => Ok(S::Revoked),
                        _ => Err(Refusal::NotOpen),
                    };
                    assert_eq!(got, want, "{state} {a} {side:?}");
                }
            }
        }
    }

    #[test]
    fn a_return_needs_its_reason_and_a_report_its_result() {
        let go = |a| answer(ReferralState::Accepted, a, Side::Receiving, false);
        assert_eq!(go(Answer::Return), Err(Refusal::NeedsText));
        assert_eq!(go(Answer::Report), Err(Refusal::NeedsText));
        // A closed referral says so before asking for words.
        assert_eq!(
            answer(ReferralState::Reported, Answer::Return, Side::Receiving, false),
            Err(Refusal::NotOpen)
        );
        assert_eq!(
            answer(ReferralState::Pending, Answer::Revoke, Side::Sending, false),
            Ok(ReferralState::Revoked)
        );
    }
}
