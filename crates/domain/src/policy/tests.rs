use super::*;

#[test]
fn codes_round_trip_for_every_role_and_action() {
    for r in Role::ALL {
        assert_eq!(Role::parse(r.code()), Some(*r));
    }
    for a in Action::ALL {
        assert_eq!(Action::parse(a.code()), Some(*a));
    }
    assert_eq!(Role::parse("root"), None);
}

#[test]
fn only_the_audit_admin_reads_the_audit_trail() {
    for r in Role::ALL {
        assert_eq!(r.allows(Action::ViewAudit), *r == AuditAdmin, "{r}");
    }
}

#[test]
fn the_audit_admin_can_do_nothing_but_audit_and_read_the_matrix() {
    for a in Action::ALL {
        let expected = matches!(a, Action::ViewAudit | Action::ViewPermissions);
        assert_eq!(AuditAdmin.allows(*a), expected, "{a}");
    }
}

#[test]
fn the_leader_reads_and_supervises_but_neither_handles_nor_approves() {
    let allowed: Vec<_> = Action::ALL.iter().filter(|a| Leader.allows(**a)).collect();
    assert_eq!(
        allowed,
        vec![
            &Action::ViewRoster,
            &Action::ViewStatistics,
            &Action::ViewCases,
            &Action::SuperviseCase,
            // The district's legal education and its counts (§3.11).
            &Action::ViewEducation,
            // The grid's coverage (§3.10), which villages went unvisited.
            &Action::ViewGrid,
            // What those let it see, found by words (issue 13 §1).
            &Action::Search
        ]
    );
}

#[test]
fn an_agency_head_approves_for_a_partner_agency_and_does_not_handle() {
    let allowed: Vec<_> = Action::ALL.iter().filter(|a| AgencyHead.allows(**a)).collect();
    assert_eq!(
        allowed,
        vec![
            &Action::ViewReference,
            &Action::ViewRoster,
            &Action::ViewStatistics,
            &Action::ViewCases,
            &Action::SignOffRisk,
            &Action::ApproveClock,
            // A suggestion addressed to the agency is read and answered by it.
            &Action::ViewSuggestions,
            &Action::AnswerSuggestion,
            &Action::ViewEducation,
            // The head assigns the agency's own people to villages (§3.10).
            &Action::ViewGrid,
            &Action::ManageGrid,
            // A court president, police chief or justice director who owns a patch (§0.1).
            &Action::WatchPatch,
            &Action::Search
        ]
    );
    assert!(AgencyHead.fits_agency(AgencyKind::GovernanceCentre));
    assert!(
        !AgencyHead.fits_agency(AgencyKind::Procuratorate),
        "that head is the chief prosecutor"
    );
}

#[test]
fn every_action_is_granted_to_someone() {
    for a in Action::ALL {
        assert!(Role::ALL.iter().any(|r| r.allows(*a)), "{a} is granted to nobody");
    }
}

#[test]
fn admin_roles_are_kept_apart() {
    let any = AgencyKind::Procuratorate;
    assert_eq!(
        check_role_set(&[SystemAdmin, AuditAdmin], any),
        Err(RoleSetError::AdminRolesCombined)
    );
    assert_eq!(
        check_role_set(&[SecurityAdmin, Prosecutor], any),
        Err(RoleSetError::AdminWithBusinessRole)
    );
    assert_eq!(check_role_set(&[], any), Err(RoleSetError::Empty));
    assert!(check_role_set(&[SecurityAdmin], any).is_ok());
    assert!(check_role_set(&[Prosecutor, JuvenileTeam], any).is_ok());
}

#[test]
fn roles_must_fit_the_agency() {
    assert!(matches!(
        check_role_set(&[Prosecutor], AgencyKind::Court),
        Err(RoleSetError::WrongAgency { .. })
    ));
    assert!(check_role_set(&[PartnerHandler], AgencyKind::Court).is_ok());
    assert!(check_role_set(&[PartnerHandler], AgencyKind::Procuratorate).is_err());
    assert!(check_role_set(&[GridWorker], AgencyKind::GovernanceCentre).is_ok());
    assert!(check_role_set(&[GridWorker], AgencyKind::Police).is_err());
}

#[test]
fn scopes_follow_the_role() {
    let agency = Id::new();
    let mut actor = Actor {
        user_id: Id::new(),
        username: "a".into(),
        display_name: "甲".into(),
        agency_id: agency,
        agency_name: "甘州区人民检察院".into(),
        roles: vec![SystemAdmin],
    };
    assert_eq!(actor.scope(Action::ViewUsers), Some(Scope::All));
    assert_eq!(actor.scope(Action::ViewAudit), None);
    actor.roles = vec![GridWorker];
    assert_eq!(actor.scope(Action::ViewRoster), Some(Scope::All));
    assert_eq!(actor.scope(Action::ViewUsers), None);
}

#[test]
fn the_screens_flags_are_the_matrix() {
    for role in Role::ALL {
        let can = Can::of(&[*role]);
        assert_eq!(can.handle_case, role.allows(Action::HandleCase), "{role}");
        assert_eq!(can.manage_users, role.allows(Action::ManageUsers), "{role}");
        assert_eq!(can.sign_off_risk, role.allows(Action::SignOffRisk), "{role}");
    }
    assert_eq!(Can::of(&[]), Can::default());
}
