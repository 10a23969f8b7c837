//! The state machines, row by row.

use super::*;

const CLEARED: RiskFacts = RiskFacts {
    current: Some(RiskLevel::Low),
    signed_off: false,
    has_plan: false,
    tasks_open: false,
    reassessment: false,
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
        assert!(available(*kind, S::Closed, Role::ALL, false).is_empty());
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

/// §3.5: High → plan → sign-off → mitigation tasks done → reassessed → cleared; each missing step
/// is its own refusal, in the order the work is done. Medium needs the plan only.
#[test]
fn high_risk_is_blocked_until_mitigated_and_reassessed_medium_needs_a_plan() {
    let go = |risk| next(CaseKind::Petition, S::ResultReplied, C::Close, None, risk);
    let high = RiskFacts {
        current: Some(RiskLevel::High),
        ..Default::default()
    };
    assert_eq!(go(high), Err(TransitionError::NeedsPlan));
    let planned = RiskFacts {
        has_plan: true,
        tasks_open: true,
        ..high
    };
    assert_eq!(go(planned), Err(TransitionError::NeedsSignOff));
    let signed = RiskFacts {
        signed_off: true,
        ..planned
    };
    assert_eq!(go(signed), Err(TransitionError::NeedsMitigation));
    let mitigated = RiskFacts {
        tasks_open: false,
        ..signed
    };
    assert_eq!(go(mitigated), Err(TransitionError::NeedsReassessment));
    // Reassessed and still high: cleared by its own sign-off, not before.
    let reassessed = RiskFacts {
        reassessment: true,
        signed_off: false,
        ..mitigated
    };
    assert_eq!(go(reassessed), Err(TransitionError::NeedsSignOff));
    assert!(
        go(RiskFacts {
            signed_off: true,
            ..reassessed
        })
        .is_ok()
    );
    let medium = RiskFacts {
        current: Some(RiskLevel::Medium),
        ..Default::default()
    };
    assert_eq!(go(medium), Err(TransitionError::NeedsPlan));
    assert!(
        go(RiskFacts {
            has_plan: true,
            tasks_open: true,
            ..medium
        })
        .is_ok()
    );
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
        available(CaseKind::Petition, S::Registered, &clerk, false),
        vec![C::ReplyProcedural]
    );
    assert_eq!(
        available(CaseKind::Petition, S::ProceduralReplied, &clerk, false),
        vec![C::Accept, C::TransferOut]
    );
    assert!(
        available(CaseKind::Petition, S::ResultReplied, &clerk, false)
            .iter()
            .all(|c| !is_decision(*c))
    );
    assert!(available(CaseKind::Petition, S::Registered, &[Role::Leader], false).is_empty());
    assert!(available(CaseKind::Petition, S::Registered, &[Role::SystemAdmin], false).is_empty());
}

/// §3.2 exemptions: a petition nobody can be answered on (anonymous, no contact) is accepted from
/// "registered" and closed from "handling": the reply steps it cannot take are not waited for.
#[test]
fn an_unanswerable_petition_skips_its_reply_steps_and_only_those() {
    let prosecutor = [Role::Prosecutor];
    let exempt = Facts {
        risk: CLEARED,
        reason_given: true,
        replies_exempt: true,
        ..Default::default()
    };
    let k = CaseKind::Petition;
    assert_eq!(
        apply(k, S::Registered, C::Accept, exempt).map(|e| e.to),
        Ok(S::Accepted)
    );
    assert_eq!(
        apply(k, S::Registered, C::NotAccept, exempt).map(|e| e.to),
        Ok(S::NotAccepted)
    );
    assert_eq!(
        apply(k, S::Handling, C::Close, exempt).map(|e| e.to),
        Ok(S::Closed)
    );
    // Only those: nothing else is skipped, and an answerable petition still waits for its replies.
    assert!(apply(k, S::Registered, C::StartHandling, exempt).is_err());
    assert!(apply(k, S::Accepted, C::Close, exempt).is_err());
    let answerable = Facts {
        replies_exempt: false,
        ..exempt
    };
    assert!(apply(k, S::Registered, C::Accept, answerable).is_err());
    assert!(apply(k, S::Handling, C::Close, answerable).is_err());
    assert!(available(k, S::Registered, &prosecutor, true).contains(&C::Accept));
    assert!(!available(k, S::Registered, &prosecutor, false).contains(&C::Accept));
    assert!(available(k, S::Handling, &prosecutor, true).contains(&C::Close));
    // Disputes have no reply steps: nothing changes for them.
    assert_eq!(
        available(CaseKind::Dispute, S::Registered, &prosecutor, true),
        available(CaseKind::Dispute, S::Registered, &prosecutor, false)
    );
}
