//! Store and use-case behaviour on both databases: retention, imports.
use gongzhi_app::domain::audit::Outcome;
use gongzhi_app::import::{ImportKind, ImportOutcome};
use gongzhi_store::audit::{self, NewEvent};
use gongzhi_test_support::TestApp;

fn event(days_ago: i64) -> NewEvent {
    NewEvent {
        occurred_at: chrono::Utc::now() - chrono::Duration::days(days_ago),
        actor_user_id: String::new(),
        actor_name: "系统".into(),
        agency_id: String::new(),
        action: "test.old".into(),
        target_type: String::new(),
        target_id: format!("{days_ago}"),
        outcome: Outcome::Success,
        changes: "{}".into(),
        request_id: String::new(),
        ip: String::new(),
        principal: gongzhi_app::domain::PrincipalKind::System,
    }
}

#[tokio::test]
async fn retention_purges_only_events_older_than_six_months_and_the_chain_still_verifies() {
    let t = TestApp::spawn("retention").await;
    let mut tx = t.db.begin().await.unwrap();
    for days in [400, 300, 200] {
        audit::insert(tx.conn(), &event(days)).await.unwrap();
    }
    audit::insert(tx.conn(), &event(100)).await.unwrap();
    tx.commit().await.unwrap();
    t.app.seal_audit(&t.system_ctx()).await.unwrap();
    let purged = t.app.purge_audit(&t.system_ctx()).await.unwrap();
    assert_eq!(purged, 3, "the three events past 190 days");
    let report = t.app.verify_audit(&t.system_ctx()).await.unwrap();
    assert!(report.broken.is_none(), "{report:?}");
    let mut conn = t.db.conn().await.unwrap();
    let (left, _) = audit::list(
        &mut conn,
        &audit::EventFilter {
            action: Some("test.old".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].target_id, "100");
}

#[tokio::test]
async fn a_csv_import_is_all_or_nothing_with_line_numbers() {
    let t = TestApp::spawn_with(
        "import",
        gongzhi_app::Security {
            admin_totp_required: false,
            ..Default::default()
        },
    )
    .await;
    let ctx = t.ctx("demo_sysadmin").await;
    let bad = "date,kind,name\n2027-01-01,rest,元旦\n2027-02-30,rest,春节\n";
    match t
        .app
        .import_csv(&ctx, ImportKind::Calendar, bad.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Rejected(rows) => assert_eq!(rows[0].line, 3),
        other => panic!("{other:?}"),
    }
    assert!(
        t.app.calendar_year(&ctx, 2027).await.unwrap().is_empty(),
        "nothing written"
    );
    let good = "\u{feff}date,kind,name\n2027-01-01,rest,元旦\n2027-02-06,workday,春节调休上班\n";
    assert_eq!(
        t.app
            .import_csv(&ctx, ImportKind::Calendar, good.as_bytes())
            .await
            .unwrap(),
        ImportOutcome::Imported {
            created: 2,
            updated: 0
        }
    );
    let units = "code,name\n620702104299,新村\n620702104299001,新村第1网格\n";
    assert_eq!(
        t.app
            .import_csv(&ctx, ImportKind::OrgUnits, units.as_bytes())
            .await
            .unwrap(),
        ImportOutcome::Imported {
            created: 2,
            updated: 0
        }
    );
    let wrong = "code,name\n620702999201,无上级村\n";
    assert!(matches!(
        t.app
            .import_csv(&ctx, ImportKind::OrgUnits, wrong.as_bytes())
            .await
            .unwrap(),
        ImportOutcome::Rejected(_)
    ));
}

/// Many rows in one statement (`store::rows`): parties, clocks and events come back as written,
/// every column in its place and NULLs as NULLs, on both databases.
#[tokio::test]
async fn parties_clocks_and_events_written_many_at_a_time_read_back_as_written() {
    use gongzhi_app::domain::deadline::{ClockKind, ClockState};
    use gongzhi_app::domain::{Id, time};
    use gongzhi_store::case::{self, Clock, Event, Party};
    let t = TestApp::spawn("rows").await;
    let api = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let (s, c) = api
        .post(
            "/api/v1/cases",
            serde_json::json!({"kind": "dispute", "channel": "visit", "category": "NEIGHBOUR", "place_id": place,
                "title": "邻里纠纷", "narrative": "宅基地边界争议。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "赵某", "phone": "13812345678"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let case: Id = c["id"].as_str().unwrap().parse().unwrap();
    let party = |seq: i64, name: &str, index: Option<&str>| Party {
        id: Id::new().to_string(),
        case_id: case.to_string(),
        seq,
        role: "respondent".into(),
        name: name.into(),
        sex: String::new(),
        birth_year: index.map(|_| 1970),
        id_enc: index.map(|i| format!("enc-{i}")),
        id_index: index.map(str::to_owned),
        id_masked: String::new(),
        phone_enc: None,
        phone_masked: String::new(),
        phone_index: None,
        address_enc: Some("addr".into()),
        minor: 0,
        elderly: seq % 2,
        disabled: 0,
        impoverished: 1,
    };
    let parties = vec![
        party(1, "钱某", Some("ix1")),
        party(2, "孙某", None),
        party(3, "李某", Some("ix3")),
    ];
    let today = time::local_date(chrono::Utc::now());
    let clock = |kind, note: &str| Clock {
        id: Id::new(),
        case_id: case,
        kind,
        seq: 1,
        rule_code: "TEST".into(),
        start_date: today,
        due_date: today + chrono::Days::new(9),
        state: ClockState::Running,
        skipped: vec![today + chrono::Days::new(2)],
        referral_id: None,
        met_at: None,
        paused_at: None,
        note: note.into(),
        approver_name: String::new(),
        version: 1,
        extensions: 0,
        term_days: None,
    };
    let clocks = vec![
        clock(ClockKind::ReferralFeedback, "一"),
        clock(ClockKind::JudicialConfirmation, "二"),
    ];
    let event = |kind: &str, public| Event {
        id: Id::new().to_string(),
        case_id: case.to_string(),
        at: time::to_millis(chrono::Utc::now()),
        actor_id: None,
        actor_name: "系统".into(),
        agency_name: String::new(),
        kind: kind.into(),
        detail: "x|y".into(),
        public,
    };
    let events = vec![event("edited", 0), event("follow-up", 1)];
    let mut tx = t.db.begin().await.unwrap();
    case::insert_parties(tx.conn(), &parties).await.unwrap();
    case::insert_clocks(tx.conn(), &clocks).await.unwrap();
    case::insert_events(tx.conn(), &events).await.unwrap();
    case::insert_parties(tx.conn(), &[]).await.unwrap();
    tx.commit().await.unwrap();

    let mut conn = t.db.conn().await.unwrap();
    let stored = case::parties(&mut conn, case).await.unwrap();
    let written: Vec<_> = stored.iter().filter(|p| p.role == "respondent").collect();
    assert_eq!(written.len(), 3);
    for (w, p) in written.iter().zip(&parties) {
        assert_eq!(
            (
                &w.name,
                &w.id_index,
                &w.id_enc,
                w.birth_year,
                &w.phone_enc,
                w.elderly,
                w.impoverished
            ),
            (
                &p.name,
                &p.id_index,
                &p.id_enc,
                p.birth_year,
                &p.phone_enc,
                p.elderly,
                p.impoverished
            )
        );
    }
    let stored = case::clocks(&mut conn, case).await.unwrap();
    for k in &clocks {
        let s = stored.iter().find(|s| s.id == k.id).unwrap();
        assert_eq!(
            (s.kind, s.due_date, &s.skipped, &s.note, s.referral_id, s.met_at),
            (k.kind, k.due_date, &k.skipped, &k.note, None, None)
        );
    }
    let (stored, _) = case::events(&mut conn, case, true, gongzhi_store::Page::first(10))
        .await
        .map(|p| (p.items, p.total))
        .unwrap();
    assert!(stored.iter().any(|e| e.kind == "follow-up" && e.detail == "x|y"));
    assert!(!stored.iter().any(|e| e.kind == "edited"), "not public");
}
