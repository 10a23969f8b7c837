//! A database made by the previous release migrates to this one and keeps every row. The fixtures
//! are that release's own demo data (`tools/upgrade-fixture.sh` run with the binary of commit
//! 628c5c5, under the suite's keys): released migrations must never change (their checksums are
//! checked), later ones must keep what is stored, and what was encrypted still reads.
use std::collections::BTreeMap;

use gongzhi_app::Security;
use gongzhi_test_support::{TestApp, fresh_database};
use serde_json::json;
use sqlx::Row;

/// Every table and its number of rows.
async fn counts(url: &str) -> BTreeMap<String, i64> {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let tables: Vec<String> = if url.starts_with("sqlite") {
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    } else {
        sqlx::query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
    }
    .fetch_all(&pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let mut out = BTreeMap::new();
    for table in tables {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&pool)
            .await
            .unwrap()
            .get(0);
        out.insert(table, n);
    }
    pool.close().await;
    out
}

#[tokio::test]
async fn a_database_of_the_previous_release_migrates_and_keeps_every_row() {
    sqlx::any::install_default_drivers();
    let url = fresh_database("upgrade").await;
    let dump = if url.starts_with("sqlite") {
        include_str!("../fixtures/release-1.sqlite.sql")
    } else {
        include_str!("../fixtures/release-1.postgres.sql")
    };
    {
        // The file is created by the load, as the old release created it.
        let create = if url.starts_with("sqlite") {
            format!("{url}?mode=rwc")
        } else {
            url.clone()
        };
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&create)
            .await
            .unwrap();
        sqlx::raw_sql(dump).execute(&mut conn).await.unwrap();
    }
    let before = counts(&url).await;
    assert_eq!(
        before["dispute_case"], 40,
        "the fixture holds the release's demo cases"
    );

    let t = TestApp::open(url.clone(), Security::default()).await;
    let after = counts(&url).await;
    for (table, n) in &before {
        if table == "schema_migration" {
            continue;
        }
        // Release 10 counts each kind (字) apart: every agency's year becomes a series per kind
        // (and one for patterns without the kind), each continuing from the shared counter.
        if table == "case_counter" {
            assert_eq!(after.get("case_counter"), None);
            assert_eq!(after.get("case_number_series"), Some(&(n * 5)));
            continue;
        }
        assert_eq!(
            after.get(table),
            Some(n),
            "{table} lost or gained rows in the upgrade"
        );
    }
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../store/migrations"))
        .unwrap()
        .count();
    assert_eq!(
        usize::try_from(after["schema_migration"]).unwrap(),
        migrations,
        "every migration of this release is applied"
    );

    // The government-petition rules the old release seeded from 2019 start with 信访工作条例, on
    // 2022-05-01 (DOMAIN.md §3.3).
    let gov = t
        .rows("SELECT DISTINCT effective_from FROM deadline_rule WHERE code LIKE 'gov-%'")
        .await;
    assert_eq!(gov, vec![vec!["2022-05-01".to_owned()]]);

    // What the old release stored still works: its password hashes, its cases, its encrypted
    // identity numbers and phones, its audit chain.
    let prosecutor = t.api("demo_prosecutor").await;
    let (s, list) = prosecutor.get("/api/v1/cases?limit=100").await;
    assert_eq!(s, 200, "{list}");
    let cases = list["items"].as_array().unwrap().clone();
    assert!(!cases.is_empty());
    let id = cases[0]["id"].as_str().unwrap();
    let (s, case) = prosecutor.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, 200, "{case}");
    let party = case["parties"][0]["id"].as_str().unwrap();
    let (s, revealed) = prosecutor
        .post(
            &format!("/api/v1/cases/{id}/parties/{party}/reveal"),
            json!({"reason": "升级后核对当事人信息"}),
        )
        .await;
    assert_eq!(s, 200, "{revealed}");
    let id_number = revealed["id_number"].as_str().unwrap_or_default();
    assert!(
        id_number.len() == 18 && id_number.starts_with("6207"),
        "the old release's ciphertext reads: {revealed}"
    );
    let report = t.app.verify_audit(&t.system_ctx()).await.unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);
    assert_eq!(case["case"]["number"], cases[0]["number"]);
    assert!(
        !case["timeline"].as_array().unwrap().is_empty(),
        "the old events read"
    );
}
