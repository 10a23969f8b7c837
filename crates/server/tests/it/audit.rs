use gongzhi_store::audit::{self, BrokenReason};
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};

#[tokio::test]
async fn altering_or_deleting_a_sealed_event_breaks_verification() {
    let t = TestApp::spawn("tamper").await;
    for _ in 0..3 {
        t.browser("demo_grid", DEMO_PASSWORD).await;
    }
    let _ = t
        .client()
        .post(format!("{}/login", t.base))
        .form(&[("username", "demo_grid"), ("password", "bad")])
        .send()
        .await
        .unwrap();
    let report = t.app.verify_audit(&t.system_ctx()).await.unwrap();
    assert!(report.broken.is_none(), "{report:?}");
    assert!(report.checked >= 4);
    let db = &t.db;
    let mut conn = db.conn().await.unwrap();
    sqlx_exec(
        &mut conn,
        "UPDATE audit_event SET actor_name = 'someone else' WHERE seq = 2",
    )
    .await;
    let r = audit::verify(&mut conn).await.unwrap();
    assert_eq!(
        r.broken.as_ref().map(|b| (b.seq, b.reason.clone())),
        Some((2, BrokenReason::Altered))
    );
    drop(conn);

    let t = TestApp::spawn("tamper2").await;
    t.browser("demo_grid", DEMO_PASSWORD).await;
    t.browser("demo_grid", DEMO_PASSWORD).await;
    assert!(
        t.app
            .verify_audit(&t.system_ctx())
            .await
            .unwrap()
            .broken
            .is_none()
    );
    let mut conn = t.db.conn().await.unwrap();
    sqlx_exec(&mut conn, "DELETE FROM audit_event WHERE seq = 1").await;
    let r = audit::verify(&mut conn).await.unwrap();
    assert_eq!(
        r.broken.map(|b| (b.seq, b.reason)),
        Some((1, BrokenReason::Missing))
    );
}

async fn sqlx_exec(conn: &mut gongzhi_store::AnyConnection, sql: &str) {
    gongzhi_store::exec_for_tests(conn, sql).await;
}
