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

/// A supervision (督办) waits in the handling agency's inbox until it is answered there: the
/// answer is on the timeline, the notice goes, and the committee is told; with nothing open an
/// answer is refused and changes nothing.
#[tokio::test]
async fn a_supervision_is_answered_from_the_inbox_and_the_committee_is_told() {
    let t = TestApp::spawn("supervision_answer").await;
    let grid = t.api("demo_grid").await;
    let place = t.org_id("620702104201").await;
    let id = crate::statute::dispute(&grid, &place, "渠道清淤纠纷").await;
    let leader = t.api("demo_leader").await;
    let (s, e) = leader
        .post(
            &format!("/api/v1/cases/{id}/supervise"),
            json!({"note": "请于本周内化解并报结果"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let centre = t
        .browser("demo_centre", gongzhi_test_support::DEMO_PASSWORD)
        .await;
    let inbox = centre
        .get(format!("{}/inbox", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        inbox.contains(&format!("action=\"/cases/{id}/supervision/answer\"")),
        "{inbox}"
    );

    // Empty: refused with the reason, the notice stays.
    let res = centre
        .post(format!("{}/cases/{id}/supervision/answer", t.base))
        .form(&[("answer", ""), ("back", "inbox")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("请写明已采取的措施和办理进展"));
    let res = centre
        .post(format!("{}/cases/{id}/supervision/answer", t.base))
        .form(&[("answer", "已组织双方调解，约定周五清淤。"), ("back", "inbox")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, inbox) = t.api("demo_centre").await.get("/api/v1/inbox").await;
    assert!(
        !inbox["notices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "supervised"),
        "the supervision is put away: {inbox}"
    );
    let (_, told) = leader.get("/api/v1/inbox").await;
    let answered = told["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "supervision_answered")
        .unwrap_or_else(|| panic!("{told}"));
    assert_eq!(answered["notice"]["answer"], "已组织双方调解，约定周五清淤。");
    let (_, d) = grid.get(&format!("/api/v1/cases/{id}")).await;
    assert!(
        d["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["what"] == "supervision-answered")
    );

    // Answered already: nothing open, refused, nothing changes.
    let centre_api = t.api("demo_centre").await;
    let before = t.snapshot().await;
    let (s, e) = centre_api
        .post(
            &format!("/api/v1/cases/{id}/supervision/answer"),
            json!({"answer": "再答一次"}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["answer"]
            .as_str()
            .unwrap()
            .contains("没有待答复的督办"),
        "{e}"
    );
    assert_eq!(t.snapshot().await, before);
}
