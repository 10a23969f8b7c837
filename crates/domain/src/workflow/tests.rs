//! The state machines, row by row.

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
