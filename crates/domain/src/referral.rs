//! Referrals (交办): a case handed to another agency for an answer by a date (DOMAIN.md §3.6). The
//! receiving agency accepts, returns (with a reason) or reports back (with its result); the sending
//! agency may revoke an open referral. Nobody else learns that the referral exists.

use crate::policy::codes;

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

#[cfg(test)]
mod tests {
    use super::*;

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
