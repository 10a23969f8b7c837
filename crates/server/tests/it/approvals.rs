//! Issue 10 §2–§3: what waits for a person is in that person's inbox — a high risk's sign-off in
//! the agency head's, with approve and refuse (a reason); a handler's clock request likewise; a
//! notice is put away when its work is done; deciding what someone else decided changes nothing.

use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use serde_json::{Value, json};

use crate::statute::{clock_of, dispute, gov_petition_in_handling};

fn approvals(inbox: &Value) -> Vec<(String, String)> {
    inbox["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_owned(),
                a["case_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn notice_kinds(inbox: &Value) -> Vec<String> {
    inbox["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_high_risk_reaches_the_head_s_queue_is_refused_with_a_reason_then_approved() {
    let t = TestApp::spawn("approvals_signoff").await;
    let grid = t.api("demo_grid").await;
    let head = t.api("demo_centre_head").await;
    let place = t.org_id("620702104201").await;
    let me = t.user_id("demo_grid").await;
    let id = dispute(&grid, &place, "宅基地纠纷（高风险）").await;
    grid.post(
        &format!("/api/v1/cases/{id}/risk"),
        json!({"people": 8, "extreme_words": true, "plan": "约谈双方"}),
    )
    .await;
    // Without its task the plan is not ready: nothing waits for the head yet.
    assert!(approvals(&head.get("/api/v1/inbox").await.1).is_empty());
    let plan =
        json!({"plan": "约谈双方", "tasks": [{"title": "现场勘界", "owner": me, "due": "2099-01-01"}]});
    let (s, e) = grid
        .post(&format!("/api/v1/cases/{id}/risk/plan"), plan.clone())
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, inbox) = head.get("/api/v1/inbox").await;
    assert_eq!(approvals(&inbox), [("sign_off".to_owned(), id.clone())]);
    assert_eq!(inbox["approvals_total"], 1);
    assert!(
        approvals(&grid.get("/api/v1/inbox").await.1).is_empty(),
        "the grid worker approves nothing"
    );

    // The head refuses from the inbox page: without a reason the inbox says so and keeps the item.
    let browser = t.browser("demo_centre_head", DEMO_PASSWORD).await;
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let browser = browser.clone();
        let base = t.base.clone();
        async move {
            let res = browser
                .post(format!("{base}{path}"))
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (status, location, res.text().await.unwrap())
        }
    };
    let refuse = format!("/cases/{id}/risk/refuse");
    let before = t.snapshot().await;
    let (s, _, page) = post(
        refuse.clone(),
        vec![("back", "inbox".into()), ("reason", " ".into())],
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        page.contains(r#"id="inbox-alert""#) && page.contains("理由"),
        "{page}"
    );
    assert!(page.contains(r#"id="approvals""#), "the item stays");
    assert_eq!(t.snapshot().await, before);
    let (s, to, _) = post(
        refuse.clone(),
        vec![
            ("back", "inbox".into()),
            ("reason", "稳控措施过于笼统，请明确责任人".into()),
        ],
    )
    .await;
    assert_eq!((s, to.as_str()), (303, "/inbox?ok=refused"));
    assert!(
        approvals(&head.get("/api/v1/inbox").await.1).is_empty(),
        "back with the handler"
    );
    assert!(notice_kinds(&grid.get("/api/v1/inbox").await.1).contains(&"risk_refused".to_owned()));

    // The revised plan puts the refusal's notice away and the sign-off back in the queue.
    grid.post(&format!("/api/v1/cases/{id}/risk/plan"), plan).await;
    assert!(!notice_kinds(&grid.get("/api/v1/inbox").await.1).contains(&"risk_refused".to_owned()));
    assert_eq!(approvals(&head.get("/api/v1/inbox").await.1).len(), 1);
    let (s, to, _) = post(
        format!("/cases/{id}/risk/sign-off"),
        vec![("back", "inbox".into())],
    )
    .await;
    assert_eq!((s, to.as_str()), (303, "/inbox?ok=signed"));
    assert!(approvals(&head.get("/api/v1/inbox").await.1).is_empty());
    // Approving again: the inbox says it is decided; nothing changes.
    let before = t.snapshot().await;
    let (s, _, page) = post(
        format!("/cases/{id}/risk/sign-off"),
        vec![("back", "inbox".into())],
    )
    .await;
    assert_eq!(s, 422);
    assert!(page.contains("已审批"), "{page}");
    assert_eq!(t.snapshot().await, before);
}

#[tokio::test]
async fn a_clock_request_waits_for_the_head_who_approves_or_refuses_it_once() {
    let t = TestApp::spawn("approvals_clock").await;
    let partner = t.api("demo_partner").await;
    let head = t.api("demo_police_head").await;
    let place = t.org_id("620702107201").await;
    let (c, clock) = gov_petition_in_handling(&partner, &place).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let url = format!(
        "/api/v1/cases/{id}/clocks/{}/requests",
        clock["id"].as_str().unwrap()
    );
    // The handler may not extend it, but may ask; a request over the rule's limit is refused as
    // the change itself would be.
    let (s, _) = partner
        .post(
            &format!("/api/v1/cases/{id}/clocks/{}", clock["id"].as_str().unwrap()),
            json!({"action": "extend", "days": 10, "reason": "需调取档案"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, e) = partner
        .post(
            &url,
            json!({"action": "extend", "days": 31, "reason": "需调取档案"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = partner
        .post(
            &url,
            json!({"action": "extend", "days": 20, "reason": "需调取征地档案"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, e) = partner
        .post(
            &url,
            json!({"action": "extend", "days": 20, "reason": "再次申请"}),
        )
        .await;
    assert_eq!(s, 422, "one pending request per clock: {e}");
    let (_, inbox) = head.get("/api/v1/inbox").await;
    let request = inbox["approvals"][0].clone();
    assert_eq!(request["kind"], "clock_request", "{inbox}");
    let rid = request["id"].as_str().unwrap();
    // Refusing needs a reason; approving changes the clock with the head as its approver.
    let (s, _) = head
        .post(
            &format!("/api/v1/clock-requests/{rid}/refuse"),
            json!({"answer": ""}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, e) = head
        .post(&format!("/api/v1/clock-requests/{rid}/approve"), json!({}))
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, d) = partner.get(&format!("/api/v1/cases/{id}")).await;
    let after = clock_of(&d, "handling");
    let was: chrono::NaiveDate = clock["due"].as_str().unwrap().parse().unwrap();
    let now: chrono::NaiveDate = after["due"].as_str().unwrap().parse().unwrap();
    assert!(now >= was + chrono::Days::new(20), "{was} → {now}");
    assert!(after["approver"].as_str().unwrap().contains("局长"), "{after}");
    assert!(notice_kinds(&partner.get("/api/v1/inbox").await.1).contains(&"clock_request".to_owned()));
    // Deciding it again changes nothing and says who decided.
    let before = t.snapshot().await;
    let (s, e) = head
        .post(
            &format!("/api/v1/clock-requests/{rid}/refuse"),
            json!({"answer": "不同意"}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(e["fields"]["answer"].as_str().unwrap().contains("已由"), "{e}");
    assert_eq!(t.snapshot().await, before);
    assert!(approvals(&head.get("/api/v1/inbox").await.1).is_empty());
}
