//! Deadline rules as data (issue 9 deliverable 2): versions with effective dates saved through the
//! API, the page and CSV, each bad value refused with its reason; a new version never rewrites a
//! running clock unless asked, and then lists what moved.

use gongzhi_app::domain::time;
use gongzhi_app::import::{ImportKind, ImportOutcome};
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

async fn petition(api: &Api, place: &str) -> (String, Value) {
    let (_, c) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                "title": "反映执行难", "narrative": "判决生效两年仍未执行到位。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "马某", "phone": "13993651234"}]}),
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    let (_, d) = api.get(&format!("/api/v1/cases/{id}")).await;
    let k = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "procedural_reply")
        .cloned()
        .unwrap();
    (id, k)
}

#[tokio::test]
async fn a_rule_version_applies_from_its_date_and_moves_running_clocks_only_when_asked() {
    let t = TestApp::spawn_admin("rule_versions").await;
    let admin = t.api("demo_sysadmin").await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let (_, list) = admin.get("/api/v1/deadline-rules").await;
    let first = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "proc-reply-7d")
        .cloned()
        .unwrap();
    assert_eq!(
        (first["version"].as_i64(), first["amount"].as_i64()),
        (Some(1), Some(7))
    );

    // Every bad value named at once; nothing saved.
    let before = t.snapshot().await;
    let (s, e) = admin
        .post(
            "/api/v1/deadline-rules",
            json!({"base": "proc-reply-7d", "amount": 0, "unit": "working_day", "next_day": true,
                "extension_days": 10, "extensions": 0, "pausable": ["nap"],
                "effective_from": "2018-01-01", "region": "62", "source": ""}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    for f in [
        "amount",
        "extension_days",
        "pausable",
        "effective_from",
        "region",
        "source",
    ] {
        assert!(e["fields"][f].is_string(), "{f} in {e}");
    }
    assert!(
        e["fields"]["effective_from"]
            .as_str()
            .unwrap()
            .contains("2019-01-01"),
        "{e}"
    );
    assert_eq!(t.snapshot().await, before);
    assert_eq!(
        t.api("demo_prosecutor")
            .await
            .post("/api/v1/deadline-rules", json!({"base": "proc-reply-7d"}))
            .await
            .0,
        403
    );

    // A clock already counting keeps its version; a petition received after gets the new one.
    let (old_case, old_clock) = petition(&reception, &place).await;
    let today = time::local_date(chrono::Utc::now()).to_string();
    let version = |amount: i64, apply: bool| {
        json!({"base": "proc-reply-7d", "amount": amount, "unit": "working_day", "next_day": true, "roll_over": true,
            "effective_from": today, "source": "某省：7个工作日内程序性回复", "apply_to_running": apply})
    };
    let (s, r) = admin.post("/api/v1/deadline-rules", version(7, false)).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["moved"], json!([]));
    let (_, d) = reception.get(&format!("/api/v1/cases/{old_case}")).await;
    let kept = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "procedural_reply")
        .unwrap();
    assert_eq!(
        (&kept["rule"], &kept["due"]),
        (&old_clock["rule"], &old_clock["due"])
    );
    let (_, new_clock) = petition(&reception, &place).await;
    assert_eq!(new_clock["rule"], "proc-reply-7d.v2");
    assert_eq!(new_clock["rule_version"], 2);
    // The same date again is refused: a version must take effect after the one it follows.
    let (s, e) = admin.post("/api/v1/deadline-rules", version(7, false)).await;
    assert_eq!(s, 422, "{e}");

    // Asked to, a version moves the running clocks of the one before and lists them.
    let tomorrow = (time::local_date(chrono::Utc::now()) + chrono::Days::new(1)).to_string();
    let (s, r) = admin
        .post(
            "/api/v1/deadline-rules",
            json!({"base": "proc-reply-7d", "amount": 10, "unit": "working_day", "effective_from": tomorrow,
                "source": "某省：10个工作日内程序性回复", "apply_to_running": true}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let moved = r["moved"].as_array().unwrap();
    assert_eq!(
        moved.len(),
        1,
        "the v2 clock moves, the v1 clock is another version's: {r}"
    );
    assert_eq!(moved[0]["was"], new_clock["due"]);
    let (_, list) = admin.get("/api/v1/deadline-rules").await;
    let v2 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "proc-reply-7d.v2")
        .unwrap();
    assert_eq!(v2["effective_to"], today, "closed the day before v3");
}

#[tokio::test]
async fn rule_versions_in_csv_are_all_or_nothing() {
    let t = TestApp::spawn_admin("rule_csv").await;
    let ctx = t.ctx("demo_sysadmin").await;
    let header = "base,amount,unit,next_day,roll_over,extension_days,extensions,pausable,effective_from,region,source\n";
    let bad = format!(
        "{header}gov-handling-60d,60,calendar_day,1,1,30,1,,2027-01-01,*,条例\n\
         no-such-rule,5,calendar_day,1,1,0,0,,2027-01-01,*,x\n\
         gov-rereview-30d,30,calendar_day,1,1,0,0,sleep,2027-01-01,*,条例\n"
    );
    let before = t.snapshot().await;
    match t
        .app
        .import_csv(&ctx, ImportKind::DeadlineRules, bad.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Rejected(rows) => {
            let got: Vec<(usize, &str)> = rows
                .iter()
                .flat_map(|r| r.errors.iter().map(move |e| (r.line, e.key.as_str())))
                .collect();
            assert_eq!(
                got,
                vec![(3, "rule-unknown"), (4, "rule-pausable-invalid")],
                "{rows:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(t.snapshot().await, before, "nothing saved");
}
