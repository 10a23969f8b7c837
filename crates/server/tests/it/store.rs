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
