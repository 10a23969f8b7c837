//! Issue 13 §4: statistical returns — issued once a period has ended, frozen as issued (opening it
//! again later reads the same numbers, a late entry shows as a difference), corrected by a new
//! revision, each scope seeing its own; and any period's summary in the seed report's terms.

use chrono::{Datelike, Months};
use gongzhi_app::domain::time;
use gongzhi_test_support::TestApp;
use serde_json::{Value, json};

fn value(r: &Value, key: &str) -> Option<i64> {
    r.as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == key)
        .and_then(|l| l["value"].as_i64())
}

#[tokio::test]
async fn a_return_is_frozen_when_issued_and_a_late_entry_is_a_difference() {
    let t = TestApp::spawn("returns").await;
    t.app.seed_demo_cases(&t.system_ctx(), 300).await.unwrap();
    let today = time::local_date(chrono::Utc::now());
    let last = today
        .with_day(1)
        .unwrap()
        .checked_sub_months(Months::new(1))
        .unwrap();
    let month = last.format("%Y-%m").to_string();
    let leader = t.api("demo_leader").await;

    // This month has not ended; a bad period is named.
    for (period, key) in [
        (today.format("%Y-%m").to_string(), "period"),
        ("2026-13".into(), "period"),
        ("11月".into(), "period"),
    ] {
        let (s, v) = leader.post("/api/v1/returns", json!({"period": period})).await;
        assert_eq!(s, 422, "{period}: {v}");
        assert!(v["fields"][key].is_string(), "{v}");
    }

    let (s, first) = leader
        .post("/api/v1/returns", json!({"period": month, "note": "上月报表"}))
        .await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(
        (first["revision"].as_i64(), first["scope"].as_str()),
        (Some(1), Some("district"))
    );
    let id = first["id"].as_str().unwrap().to_owned();
    let received = value(&first["lines"], "received").unwrap();
    assert!(received > 0, "demo cases fall in last month: {first}");
    let (_, dash) = leader.get(&format!("/api/v1/dashboard?month={month}")).await;
    assert_eq!(
        dash["received"].as_i64(),
        Some(received),
        "the dashboard's month and the return agree"
    );

    // Opened again: the same numbers, nothing changed.
    let (s, v) = leader.get(&format!("/api/v1/returns/{id}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["lines"], first["lines"]);
    assert_eq!(v["differences"], json!([]));

    // A case of last month registered late: the issued return still says what it said, and the
    // difference is shown.
    let village = t.org_id("620702104201").await;
    let (s, c) = t
        .api("demo_reception")
        .await
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "letter", "category": "LABOUR", "place_id": village,
                "title": "补录上月来信", "narrative": "来信反映工资拖欠。",
                "received_at": format!("{} 10:00", last.with_day(15).unwrap()),
                "parties": [{"role": "petitioner", "name": "李四"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let (_, v) = leader.get(&format!("/api/v1/returns/{id}")).await;
    assert_eq!(value(&v["lines"], "received"), Some(received), "frozen as issued");
    assert_eq!(value(&v["now"], "received"), Some(received + 1));
    let diffs = v["differences"].as_array().unwrap();
    assert!(
        diffs
            .iter()
            .any(|d| d["key"] == "received" && d["issued"] == received && d["now"] == received + 1),
        "{diffs:?}"
    );
    assert!(diffs.iter().any(|d| d["key"] == "channel.letter"), "{diffs:?}");
    let html = t.page_text("demo_leader", &format!("/reports/{id}")).await;
    assert!(html.contains("id=\"return-changed\""));

    // A correction is a new revision; the first stays as it was.
    let (s, second) = leader.post("/api/v1/returns", json!({"period": month})).await;
    assert_eq!(s, 200, "{second}");
    assert_eq!(second["revision"], 2);
    assert_eq!(value(&second["lines"], "received"), Some(received + 1));
    let (_, again) = leader.get(&format!("/api/v1/returns/{id}")).await;
    assert_eq!(value(&again["lines"], "received"), Some(received));
    let audited = t
        .rows("SELECT COUNT(*) FROM audit_event WHERE action = 'return.issue'")
        .await;
    assert_eq!(audited[0][0], "2");

    // An agency head issues and sees the own agency's; the district's is not found for it.
    let head = t.api("demo_police_head").await;
    let (s, own) = head.post("/api/v1/returns", json!({"period": month})).await;
    assert_eq!(s, 200, "{own}");
    assert_eq!(own["scope"], t.agency_id("GZ-GAJ").await.as_str());
    assert!(
        own["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| !l["key"].as_str().unwrap().starts_with("hearings."))
    );
    let (s, _) = head.get(&format!("/api/v1/returns/{id}")).await;
    assert_eq!(s, 404);
    let (_, mine) = head.get("/api/v1/returns").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, all) = leader.get("/api/v1/returns").await;
    assert_eq!(all.as_array().unwrap().len(), 3, "the district sees every return");
    let (s, theirs) = leader
        .get(&format!("/api/v1/returns/{}", own["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, 200);
    assert!(
        theirs["now"].is_null(),
        "the district reads an agency's return as issued"
    );

    // Whoever may not see statistics may not issue or read them.
    let (s, _) = t
        .api("demo_reception")
        .await
        .post("/api/v1/returns", json!({"period": month}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = t
        .api("demo_grid")
        .await
        .get(&format!("/api/v1/returns/{id}"))
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn any_period_reads_as_the_seed_report_with_few_children_not_shown() {
    let t = TestApp::spawn("returns_summary").await;
    t.app.seed_demo_cases(&t.system_ctx(), 300).await.unwrap();
    let leader = t.api("demo_leader").await;
    let today = time::local_date(chrono::Utc::now());
    let from = format!("{}-01-01", today.year() - 2);
    let (s, lines) = leader
        .get(&format!("/api/v1/returns/figures?from={from}&to={today}"))
        .await;
    assert_eq!(s, 200, "{lines}");
    for key in [
        "suggestions.issued",
        "hearings.held",
        "aid.cases",
        "aid.amount",
        "received",
    ] {
        assert!(lines.as_array().unwrap().iter().any(|l| l["key"] == key), "{key}");
    }
    assert!(
        value(&lines, "hearings.held").unwrap() > 0,
        "the demo's hearings are counted"
    );
    let children = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "children.helped")
        .unwrap();
    let opened = t
        .rows(&format!(
            "SELECT COUNT(*) FROM minor_child WHERE opened_on >= '{from}' AND opened_on <= '{today}'"
        ))
        .await[0][0]
        .parse::<i64>()
        .unwrap();
    if opened > 0 && opened < 5 {
        assert!(children["value"].is_null(), "{children}");
    } else {
        assert_eq!(children["value"].as_i64(), Some(opened));
    }
    // Dates not understood, or the wrong way round.
    for q in [
        "from=2026-02-30&to=2026-03-01",
        "from=2026-03-01&to=2026-02-01",
        "from=&to=",
        "from=2020-01-01&to=2026-01-01",
    ] {
        let (s, v) = leader.get(&format!("/api/v1/returns/figures?{q}")).await;
        assert_eq!(s, 422, "{q}: {v}");
    }
    let html = t
        .page_text("demo_leader", "/reports/figures?from=2026-03-01&to=2026-02-01")
        .await;
    assert!(html.contains("is-invalid"), "the form says which date");
}
