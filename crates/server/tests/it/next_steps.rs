//! Issue 10 §1: the next step is always visible — the case says which commands the viewer may give,
//! which one the workflow expects and why one is held back; a procedural reply gives the decision
//! it announces (§3.2), within the decision's own roles and gate.

use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

async fn petition(api: &Api, place: &str, title: &str) -> String {
    let (s, c) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                "title": title, "narrative": "判决生效两年仍未执行到位。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "马某", "phone": "13993651234"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

async fn detail(api: &Api, id: &str) -> Value {
    api.get(&format!("/api/v1/cases/{id}")).await.1
}

fn reply(template: &str, body: &str) -> Value {
    json!({"kind": "procedural", "channel": "in_person", "body": body, "template": template})
}

#[tokio::test]
async fn a_procedural_reply_gives_the_decision_it_announces() {
    let t = TestApp::spawn("next_steps").await;
    let clerk = t.api("demo_reception").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let place = t.org_id("620702104201").await;

    // Registered: the procedural reply is the one step, and the one expected.
    let id = petition(&clerk, &place, "反映执行难").await;
    let d = detail(&clerk, &id).await;
    assert_eq!(
        d["steps"],
        json!([{"command": "reply_procedural", "expected": true, "blocked": null, "needs_reason": false}])
    );
    // Sent from the template that accepts, it accepts.
    let (s, e) = clerk
        .post(
            &format!("/api/v1/cases/{id}/replies"),
            reply("procedural-accepted", "已依法受理。"),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let d = detail(&clerk, &id).await;
    assert_eq!(d["case"]["status"], "accepted");
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["what"].as_str())
        .collect();
    assert!(kinds.ends_with(&["reply-procedural", "cmd-accept"]), "{kinds:?}");

    // Not accepting is a prosecutor's decision: the clerk's reply saying so is refused whole.
    let other = petition(&clerk, &place, "反映拆迁补偿").await;
    let before = t.snapshot().await;
    let (s, e) = clerk
        .post(
            &format!("/api/v1/cases/{other}/replies"),
            reply("procedural-not-accepted", "不符合受理条件。"),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(t.snapshot().await, before, "no reply, no step");
    // The prosecutor's is refused too until the risk is assessed (it is a decision, §3.5) …
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/cases/{other}/replies"),
            reply("procedural-not-accepted", "不符合受理条件。"),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    assert!(e["message"].as_str().unwrap().contains("风险评估"), "{e}");
    prosecutor
        .post(&format!("/api/v1/cases/{other}/risk"), json!({}))
        .await;
    // … and then the reply is the decision, its text the reason.
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/cases/{other}/replies"),
            reply("procedural-not-accepted", "属于民事纠纷，不符合受理条件。"),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(detail(&clerk, &other).await["case"]["status"], "not_accepted");

    // Asking for materials answers the 7 days and leaves the decision for later.
    let third = petition(&clerk, &place, "反映工资拖欠").await;
    clerk
        .post(
            &format!("/api/v1/cases/{third}/replies"),
            reply("procedural-materials", "请补充证明材料。"),
        )
        .await;
    let d = detail(&clerk, &third).await;
    assert_eq!(d["case"]["status"], "procedural_replied");
    let steps: Vec<(&str, bool)> = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["command"].as_str().unwrap(), x["expected"].as_bool().unwrap()))
        .collect();
    assert_eq!(steps, [("accept", true), ("transfer_out", false)]);
}

#[tokio::test]
async fn a_decision_held_back_by_the_gate_says_so_and_the_case_page_shows_it() {
    let t = TestApp::spawn("next_steps_gate").await;
    let clerk = t.api("demo_reception").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let place = t.org_id("620702104201").await;
    let id = petition(&clerk, &place, "反映执行难").await;
    clerk
        .post(
            &format!("/api/v1/cases/{id}/replies"),
            reply("procedural-accepted", "已依法受理。"),
        )
        .await;
    prosecutor
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "start_handling"}),
        )
        .await;
    let d = detail(&prosecutor, &id).await;
    assert_eq!(d["steps"][0]["command"], "reply_result");
    assert_eq!(d["steps"][0]["blocked"], "transition-needs-assessment");
    // The page: the expected step, disabled, with the reason in words; the reply form is open
    // with the result template drafted.
    let page = t.page_text("demo_prosecutor", &format!("/cases/{id}")).await;
    assert!(
        page.contains(r#"id="step-reply_result" aria-disabled="true""#),
        "{page}"
    );
    assert!(page.contains("「答复办理结果」暂不能办理：这是一项决定，须先完成风险评估"));
    assert!(page.contains(r#"<option value="result-final" data-kind="result""#));
    assert!(
        page.contains(r#"name="template" value="result-final""#) || page.contains("selected>办理结果答复")
    );
    assert!(page.contains("已办理完毕，现将办理结果答复如下"));
    // Closed: the card says nothing is left to do.
    prosecutor
        .post(&format!("/api/v1/cases/{id}/risk"), json!({}))
        .await;
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/cases/{id}/replies"),
            json!({"kind": "result", "channel": "letter", "body": "办理结果如下。"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    prosecutor
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "close"}),
        )
        .await;
    let page = t.page_text("demo_prosecutor", &format!("/cases/{id}")).await;
    assert!(page.contains("本案已办结，无需再办理。"));
    assert!(!page.contains("id=\"risk-needs\""));
}
