//! Issue 12 §3: minors' data as its own security class — a mandatory report opens only for the
//! juvenile team or someone granted it, every open audited with its reason and every refusal too;
//! lists mask the child; the police notification is measured in hours; counts under five are
//! suppressed. Role × action on the API.

use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

fn report(name: &str, harm: &str) -> Value {
    json!({
        "reporter_kind": "school", "reporter": {"organisation": "乌江镇中心小学", "person": "班主任李老师", "phone": "13900001111"},
        "received_at": time::format_local(chrono::Utc::now() - chrono::Duration::hours(3)),
        "harm_kind": harm, "guardian_situation": "left_behind",
        "child": {"name": name, "sex": "女", "birth_date": "2016-05-01", "school": "乌江镇中心小学", "address": "乌江村三社",
            "guardian": "祖母", "what": "学生身上多处淤青，自述被同住亲属打伤。"}
    })
}

async fn file(api: &Api, body: Value) -> String {
    let (s, r) = api.post("/api/v1/minors", body).await;
    assert_eq!(s, 200, "{r}");
    r["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_childs_record_opens_for_the_juvenile_team_or_a_grant_with_a_reason_and_every_try_is_audited() {
    let t = TestApp::spawn("minor_class").await;
    let juvenile = t.api("demo_juvenile").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let leader = t.api("demo_leader").await;
    let id = file(&juvenile, report("王小花", "abuse_injuries")).await;

    // Filing is the juvenile team's; nobody else, and no one without an account.
    assert_eq!(
        prosecutor
            .post("/api/v1/minors", report("张三", "abandonment"))
            .await
            .0,
        403
    );
    let r = t
        .client()
        .post(format!("{}/api/v1/minors", t.base))
        .json(&report("张三", "abandonment"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = t
        .client()
        .get(format!("{}/api/v1/minors", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Bad input is answered field by field.
    let mut bad = report("", "no_such_harm");
    bad["guardian_situation"] = json!("x");
    let (s, e) = juvenile.post("/api/v1/minors", bad).await;
    assert_eq!(s, 422, "{e}");
    for f in ["harm_kind", "guardian_situation", "child.name"] {
        assert!(e["fields"][f].is_string(), "{f}: {e}");
    }

    // The list masks the child and counts the hours the police have not been told.
    let (_, l) = juvenile.get("/api/v1/minors").await;
    assert_eq!(l["total"], 1, "{l}");
    assert_eq!(l["items"][0]["child"], "王**");
    assert!(
        !l.to_string().contains("王小花") && !l.to_string().contains("乌江村三社"),
        "{l}"
    );
    assert_eq!(
        l["items"][0]["police_late"], true,
        "three hours and the police not told"
    );
    assert!(l["items"][0]["police_hours"].as_i64().unwrap() >= 2);
    // Others see nothing in the list.
    assert_eq!(prosecutor.get("/api/v1/minors").await.1["total"], 0);
    assert_eq!(leader.get("/api/v1/minors").await.1["total"], 0);

    // Opening needs a reason, and is audited with it (never with the child's name).
    let open = format!("/api/v1/minors/{id}/open");
    let (s, e) = juvenile.post(&open, json!({"reason": ""})).await;
    assert_eq!(s, 422, "{e}");
    let (s, v) = juvenile
        .post(&open, json!({"reason": "核实强制报告，联系派出所"}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["child_record"]["name"], "王小花");
    assert_eq!(v["under14"], true);
    assert_eq!(v["steps"], json!(["notify_police", "close"]));
    let audit = t
        .rows(&format!(
            "SELECT action, outcome, changes FROM audit_event WHERE target_id = '{id}' ORDER BY seq"
        ))
        .await;
    let opened = audit
        .iter()
        .find(|r| r[0] == "minor.open")
        .unwrap_or_else(|| panic!("{audit:?}"));
    assert!(opened[2].contains("核实强制报告"), "{opened:?}");
    assert!(
        audit.iter().all(|r| !r[2].contains("王小花")),
        "the audit never names the child: {audit:?}"
    );

    // Someone outside the team who follows a link: 403, and the attempt is audited.
    let (s, _) = prosecutor.post(&open, json!({"reason": "好奇"})).await;
    assert_eq!(s, 403);
    let denied = t
        .rows(&format!(
            "SELECT outcome FROM audit_event WHERE action = 'denied.minor.open' AND target_id = '{id}'"
        ))
        .await;
    assert_eq!(denied.len(), 1, "{denied:?}");
    // The same on the pages: a link to the report is 403 for the prosecutor; the team is asked
    // the reason first, and only then sees the child.
    let r = t
        .browser("demo_prosecutor", gongzhi_test_support::DEMO_PASSWORD)
        .await
        .get(format!("{}/minors/{id}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let gate = t.page_text("demo_juvenile", &format!("/minors/{id}")).await;
    assert!(
        gate.contains("查看事由") && gate.contains("王**") && !gate.contains("王小花"),
        "{gate}"
    );
    let team = t
        .browser("demo_juvenile", gongzhi_test_support::DEMO_PASSWORD)
        .await;
    let page = team
        .post(format!("{}/minors/{id}/open", t.base))
        .header("origin", &t.base)
        .form(&[("reason", "核对报告内容")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("王小花") && html.contains("已记入审计日志"),
        "{html}"
    );
    // A report that does not exist is refused the same way (no telling which exist).
    let (s, _) = prosecutor
        .post(
            "/api/v1/minors/01900000-0000-7000-8000-000000000000/open",
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, 403);

    // Granted that one report, the prosecutor lists and opens it — reads only.
    let me = t.user_id("demo_prosecutor").await;
    assert_eq!(
        prosecutor
            .post(&format!("/api/v1/minors/{id}/grants"), json!({"user": me}))
            .await
            .0,
        403,
        "only the team grants"
    );
    let (s, e) = juvenile
        .post(&format!("/api/v1/minors/{id}/grants"), json!({"user": me}))
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(prosecutor.get("/api/v1/minors").await.1["total"], 1);
    let (s, v) = prosecutor
        .post(&open, json!({"reason": "司法救助审查需要"}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["steps"].as_array().map(Vec::len),
            v["grants"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    let (s, _) = prosecutor
        .post(
            &format!("/api/v1/minors/{id}/steps/close"),
            json!({"version": 1, "outcome": "x"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = juvenile
        .post(
            &format!("/api/v1/minors/{id}/grants"),
            json!({"user": "demo_prosecutor", "revoke": true}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        prosecutor.post(&open, json!({"reason": "再看一次"})).await.0,
        403,
        "revoked"
    );

    // The police told, then the procuratorate files; steps out of order are refused.
    let steps = |s: &str| format!("/api/v1/minors/{id}/steps/{s}");
    let (s, e) = juvenile.post(&steps("file"), json!({"version": 1})).await;
    assert_eq!(s, 422, "the police first: {e}");
    let (s, e) = juvenile
        .post(&steps("notify_police"), json!({"version": 1}))
        .await;
    assert_eq!(s, 422, "which station: {e}");
    let (s, e) = juvenile
        .post(
            &steps("notify_police"),
            json!({"version": 1, "police_unit": "乌江派出所"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        juvenile.post(&steps("file"), json!({"version": 1})).await.0,
        409,
        "a stale version"
    );
    assert_eq!(juvenile.post(&steps("file"), json!({"version": 2})).await.0, 200);
    let (s, e) = juvenile.post(&steps("close"), json!({"version": 3})).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(
        juvenile
            .post(
                &steps("close"),
                json!({"version": 3, "outcome": "已立案侦查，启动司法救助"})
            )
            .await
            .0,
        200
    );
    let (_, l) = juvenile.get("/api/v1/minors").await;
    assert_eq!(
        (
            l["items"][0]["state"].as_str(),
            l["items"][0]["police_late"].as_bool()
        ),
        (Some("closed"), Some(true))
    );
}

#[tokio::test]
async fn statistics_about_children_suppress_cells_under_five() {
    let t = TestApp::spawn("minor_counts").await;
    let juvenile = t.api("demo_juvenile").await;
    for i in 0..5 {
        file(&juvenile, report(&format!("李{i}"), "abandonment")).await;
    }
    file(&juvenile, report("赵某", "missing_trafficked")).await;
    let year = time::local_date(chrono::Utc::now() - chrono::Duration::hours(3))
        .format("%Y")
        .to_string();
    for api in [&juvenile, &t.api("demo_leader").await] {
        let (s, c) = api.get(&format!("/api/v1/minors/counts?year={year}")).await;
        assert_eq!(s, 200, "{c}");
        let of = |h: &str| {
            c.as_array()
                .unwrap()
                .iter()
                .find(|x| x["harm_kind"] == h)
                .unwrap()["count"]
                .clone()
        };
        assert_eq!(of("abandonment"), 5);
        assert_eq!(of("missing_trafficked"), Value::Null, "one child: suppressed");
        assert_eq!(of("organised_begging"), 0);
    }
    assert_eq!(
        t.api("demo_partner").await.get("/api/v1/minors/counts").await.0,
        403
    );
}
