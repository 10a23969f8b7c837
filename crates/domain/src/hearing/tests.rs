use super::*;

use HearingCommand as C;
use HearingState as S;

/// Every state × command: the table is the rule, written out once more by hand.
#[test]
fn every_state_and_command() {
    let allowed: &[(S, C, S)] = &[
        (S::Applied, C::Accept, S::Proposed),
        (S::Applied, C::Refuse, S::Refused),
        (S::Applied, C::Withdraw, S::Withdrawn),
        (S::Proposed, C::Approve, S::Approved),
        (S::Proposed, C::Reject, S::Refused),
        (S::Proposed, C::Withdraw, S::Withdrawn),
        (S::Approved, C::Prepare, S::Prepared),
        (S::Approved, C::Withdraw, S::Withdrawn),
        (S::Prepared, C::Prepare, S::Prepared),
        (S::Prepared, C::Notify, S::Noticed),
        (S::Prepared, C::Withdraw, S::Withdrawn),
        (S::Noticed, C::Hold, S::Held),
        (S::Noticed, C::Withdraw, S::Withdrawn),
        (S::Held, C::RecordOpinions, S::OpinionsRecorded),
        (S::OpinionsRecorded, C::RecordOpinions, S::OpinionsRecorded),
        (S::OpinionsRecorded, C::Decide, S::Decided),
        (S::Decided, C::Announce, S::Announced),
        (S::Announced, C::Archive, S::Archived),
    ];
    for from in HearingState::ALL {
        for command in HearingCommand::ALL {
            let expected = allowed
                .iter()
                .find(|(f, c, _)| f == from && c == command)
                .map(|(_, _, to)| *to);
            match expected {
                Some(to) => assert_eq!(next(*from, *command), Ok(to), "{from} {command}"),
                None => assert_eq!(
                    next(*from, *command),
                    Err(HearingError::NotNow {
                        from: *from,
                        command: *command
                    }),
                    "{from} {command}"
                ),
            }
        }
    }
}

#[test]
fn closed_states_accept_nothing() {
    for s in [S::Archived, S::Refused, S::Withdrawn] {
        assert!(!s.is_open());
        assert!(s.commands().is_empty(), "{s}");
    }
    assert_eq!(S::Proposed.commands(), vec![C::Approve, C::Reject, C::Withdraw]);
}

#[test]
fn only_the_chief_approves() {
    let chiefs: Vec<_> = HearingCommand::ALL.iter().filter(|c| c.is_chiefs()).collect();
    assert_eq!(chiefs, vec![&C::Approve, &C::Reject]);
}

#[test]
fn a_minor_party_closes_any_hearing() {
    assert!(is_public(true, false));
    assert!(!is_public(true, true));
    assert!(!is_public(false, false));
    assert!(HearingKind::NonProsecution.public_by_default());
    assert!(!HearingKind::CustodyReview.public_by_default());
    assert!(!HearingKind::ArrestReview.public_by_default());
}

#[test]
fn doorstep_and_other_places_need_the_chief() {
    assert!(Venue::Doorstep.needs_chief_approval());
    assert!(Venue::Elsewhere.needs_chief_approval());
    assert!(!Venue::HearingRoom.needs_chief_approval());
    assert!(!Venue::Online.needs_chief_approval());
}

#[test]
fn a_decision_against_the_majority_is_reported() {
    use Opinion::*;
    assert_eq!(majority(&[Agree, Agree, Disagree]), Some(Agree));
    assert_eq!(majority(&[Agree, Disagree, Partly, Partly]), None);
    assert!(departs_from_majority(Disagree, &[Agree, Agree, Disagree]));
    assert!(!departs_from_majority(Agree, &[Agree, Agree, Disagree]));
    // Split with no majority: some opinions go unadopted whatever is decided.
    assert!(departs_from_majority(
        Disagree,
        &[Agree, Disagree, Partly, Partly]
    ));
    assert!(!departs_from_majority(Agree, &[]));
}

#[test]
fn three_to_seven_officers_and_seven_steps() {
    assert_eq!(OFFICERS, 3..=7);
    assert_eq!(STEPS.len(), 7);
}

#[test]
fn the_public_sees_parties_as_surname_and_mou() {
    let names = vec![
        "张三".to_owned(),
        "张三丰".to_owned(),
        "欧阳明".to_owned(),
        "李".to_owned(),
    ];
    assert_eq!(
        masked("张三丰与欧阳明、张三相邻权纠纷，李村", &names),
        "张某与欧阳某、张某相邻权纠纷，李村"
    );
}
