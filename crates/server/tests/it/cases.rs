//! Cases through the real server: intake, the workflows with the risk gate, clocks, referrals,
//! replies, conflicts, idempotency, the sweeper on two servers.

use gongzhi_app::Security;
use gongzhi_app::domain::calendar::official_2024_2026;
use gongzhi_app::domain::deadline::{Unit, due_date};
use gongzhi_app::domain::{calendar::WorkCalendar, time};
use gongzhi_test_support::{TestApp, second_app};
use serde_json::{Value, json};

fn local_now_minus(days: i64) -> String {
    time::format_local(chrono::Utc::now() - chrono::Duration::days(days))
}

fn petition(place: &str, received: &str) -> Value {
    json!({
        "kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
        "title": "王某不服民事判决申请监督", "narrative": "王某与李某民间借贷纠纷一案，认为判决认定事实错误。",
        "received_at": received,
        "parties": [{"role": "petitioner", "name": "王建国", "id_number": "11010519491231002X", "phone": "13812345678"}]
    })
}

fn calendar() -> WorkCalendar {
    WorkCalendar::new(official_2024_2026().into_iter().map(|h| (h.date, h.kind)))
}

#[tokio::test]
async fn a_petition_from_visit_to_closure_with_the_risk_gate_and_a_referral() {
    let t = TestApp::spawn("petition").await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let received = local_now_minus(0);
    let (s, c) = reception.post("/api/v1/cases", petition(&place, &received)).await;
    assert_eq!(s, 200, "{c}");
    let year = time::local_date(chrono::Utc::now()).format("%Y").to_string();
    assert_eq!(c["number"], format!("甘州检信〔{year}〕1号"));
    assert_eq!(c["status"], "registered");
    let id = c["id"].as_str().unwrap().to_owned();

    // Clocks: 7-day procedural and 3-month result reply, computed by the deadline function.
    let (_, d) = reception.get(&format!("/api/v1/cases/{id}")).await;
    let today = time::local_date(chrono::Utc::now());
    let want = due_date(&calendar(), today, 7, Unit::CalendarDay)
        .unwrap()
        .due
        .to_string();
    let proc_clock = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "procedural_reply")
        .unwrap();
    assert_eq!(proc_clock["due"], want);
    assert!(
        d["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kind"] == "result_reply")
    );
    // Parties are masked; the ID gives sex.
    assert_eq!(d["parties"][0]["id_number"], "1101**********002X");
    assert_eq!(d["parties"][0]["phone"], "138****5678");
    assert_eq!(d["parties"][0]["sex"], "female");

    // A clerk may not close, and a closure from "registered" is 409 with the reason.
    let (s, e) = reception
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "close"}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(e["code"], "transition_refused");
    let prosecutor = t.api("demo_prosecutor").await;
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "close"}),
        )
        .await;
    assert_eq!(s, 409);
    assert!(e["message"].as_str().unwrap().contains("已登记"), "{e}");

    // The procedural reply is the workflow step and meets its clock.
    let (s, e) = reception
        .post(
            &format!("/api/v1/cases/{id}/replies"),
            json!({"kind": "procedural", "channel": "phone", "body": "已受理，三个月内答复。"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, _) = reception
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "accept"}),
        )
        .await;
    assert_eq!(s, 200);

    // Referral to the township centre: it sees exactly this case; the police do not.
    let centre = t.agency_id("GZ-ZZ10").await;
    let (s, e) = reception
        .post(
            &format!("/api/v1/cases/{id}/referrals"),
            json!({"to_agency": centre, "note": "请协助核实当事人家庭情况", "days": 10}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let centre_user = t.api("demo_centre").await;
    let (s, d) = centre_user.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(d["commands"], json!([]));
    let referral = d["referrals"][0]["id"].as_str().unwrap().to_owned();
    // The centre is told, in a typed notice: the case and the feedback date.
    let (_, inbox) = centre_user.get("/api/v1/inbox").await;
    let notice = &inbox["notices"][0];
    assert_eq!(notice["kind"], "referral", "{inbox}");
    assert_eq!(notice["notice"]["type"], "referral");
    assert_eq!(notice["notice"]["number"], d["case"]["number"]);
    assert_eq!(
        notice["notice"]["due"].as_str().map(str::len),
        Some(10),
        "a date: {notice}"
    );
    // The timeline's details are typed too: registration names its number and channel.
    let registered = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == "registered")
        .unwrap();
    assert_eq!(registered["detail"]["type"], "registered");
    assert_eq!(registered["detail"]["number"], d["case"]["number"]);
    let police = t.api("demo_partner").await;
    assert_eq!(police.get(&format!("/api/v1/cases/{id}")).await.0, 404);
    // The receiving agency may not change the case itself.
    let (s, _) = centre_user
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "start_handling"}),
        )
        .await;
    assert_eq!(s, 403);
    // Returning needs a reason.
    let (s, e) = centre_user
        .post(
            &format!("/api/v1/referrals/{referral}"),
            json!({"action": "return"}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(e["fields"]["text"].as_str().unwrap().contains("理由"));
    let (s, _) = centre_user
        .post(
            &format!("/api/v1/referrals/{referral}"),
            json!({"action": "return", "text": "不属于本中心职责，请转司法所"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, d) = reception.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["referrals"][0]["state"], "returned");
    let feedback = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "referral_feedback")
        .unwrap();
    assert_eq!(feedback["state"], "met");

    // Handling, then the result reply is a decision: without an assessment it is refused.
    let (s, _) = prosecutor
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "start_handling"}),
        )
        .await;
    assert_eq!(s, 200);
    let result = json!({"kind": "result", "channel": "letter", "body": "经审查，原判决认定事实清楚，不支持监督申请。"});
    let (s, e) = prosecutor
        .post(&format!("/api/v1/cases/{id}/replies"), result.clone())
        .await;
    assert_eq!(s, 409);
    assert!(e["message"].as_str().unwrap().contains("风险评估"), "{e}");
    // High risk: eight people, threats; the petitioner's age (from the ID) adds the vulnerable
    // party without being typed.
    let (s, r) = prosecutor
        .post(
            &format!("/api/v1/cases/{id}/risk"),
            json!({"people": 8, "extreme_words": true, "plan": "包案领导每周约谈"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["level"], "high");
    assert_eq!(r["ruleset"], "2026.1");
    assert_eq!(
        r["factors"],
        json!([{"factor": "group_petition", "points": 30}, {"factor": "extreme_words", "points": 40},
            {"factor": "vulnerable_party", "points": 15}])
    );
    assert_eq!(r["score"], 85);
    let (s, e) = prosecutor
        .post(&format!("/api/v1/cases/{id}/replies"), result.clone())
        .await;
    assert_eq!(s, 409);
    assert!(e["message"].as_str().unwrap().contains("领导审批"), "{e}");
    // Only a leader signs off.
    assert_eq!(
        prosecutor
            .post(&format!("/api/v1/cases/{id}/risk/sign-off"), json!({}))
            .await
            .0,
        403
    );
    // §3.5: a high risk is mitigated by tasks with owners; the sign-off needs them. The head of
    // the handling agency — here the chief prosecutor — signs off; the committee leader does not.
    assert_eq!(
        t.api("demo_leader")
            .await
            .post(&format!("/api/v1/cases/{id}/risk/sign-off"), json!({}))
            .await
            .0,
        403
    );
    let leader = t.api("demo_chief").await;
    let (s, e) = leader
        .post(&format!("/api/v1/cases/{id}/risk/sign-off"), json!({}))
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["risk"].as_str().unwrap().contains("任务"), "{e}");
    let me = t.user_id("demo_prosecutor").await;
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/cases/{id}/risk/plan"),
            json!({"plan": "包案领导每周约谈", "tasks": [{"title": "约谈申诉人，释法说理", "owner": me, "due": "2026-12-31"}]}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, e) = leader
        .post(&format!("/api/v1/cases/{id}/risk/sign-off"), json!({}))
        .await;
    assert_eq!(s, 200, "{e}");
    // Signed off, but the task is not done: still blocked; done, it needs the reassessment.
    let (s, e) = prosecutor
        .post(&format!("/api/v1/cases/{id}/replies"), result.clone())
        .await;
    assert_eq!(s, 409);
    assert!(e["message"].as_str().unwrap().contains("稳控任务"), "{e}");
    let (_, inbox) = prosecutor.get("/api/v1/inbox").await;
    let task = inbox["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["case_id"] == id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, e) = prosecutor
        .post(&format!("/api/v1/tasks/{task}/done"), json!({}))
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, e) = prosecutor
        .post(&format!("/api/v1/cases/{id}/replies"), result.clone())
        .await;
    assert_eq!(s, 409);
    assert!(e["message"].as_str().unwrap().contains("重新评估"), "{e}");
    // Reassessed: the threats have stopped; the plan is carried; the gate clears.
    let (s, r) = prosecutor
        .post(&format!("/api/v1/cases/{id}/risk"), json!({"people": 8}))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["level"], "medium");
    assert!(!r["reassesses"].as_str().unwrap().is_empty(), "{r}");
    let (s, e) = prosecutor
        .post(&format!("/api/v1/cases/{id}/replies"), result)
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, c) = prosecutor
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "close"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(c["status"], "closed");
    let (_, d) = prosecutor.get(&format!("/api/v1/cases/{id}")).await;
    assert!(
        d["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["state"] != "running")
    );
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    for k in [
        "registered",
        "reply-procedural",
        "cmd-accept",
        "referred",
        "referral-returned",
        "risk-assessed",
        "risk-signed-off",
        "reply-result",
        "cmd-close",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }

    // Revealing the ID: a reason is required and the act is audited.
    let party = d["parties"][0]["id"].as_str().unwrap().to_owned();
    let (s, _) = reception
        .post(
            &format!("/api/v1/cases/{id}/parties/{party}/reveal"),
            json!({"reason": ""}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, r) = reception
        .post(
            &format!("/api/v1/cases/{id}/parties/{party}/reveal"),
            json!({"reason": "电话回访核实身份"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(r["id_number"], "11010519491231002X");
    assert_eq!(
        police
            .post(
                &format!("/api/v1/cases/{id}/parties/{party}/reveal"),
                json!({"reason": "x"})
            )
            .await
            .0,
        403
    );
    let mut conn = t.db.conn().await.unwrap();
    let (events, _) = gongzhi_store::audit::list(
        &mut conn,
        &gongzhi_store::audit::EventFilter {
            action: Some("case.reveal".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
    assert!(events[0].changes.contains("电话回访核实身份"));
}

#[tokio::test]
async fn bad_intake_is_422_with_every_field_and_a_retry_makes_one_case() {
    let t = TestApp::spawn("intake").await;
    let api = t.api("demo_reception").await;
    let future = time::format_local(chrono::Utc::now() + chrono::Duration::days(2));
    let (s, e) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "NEIGHBOUR", "place_id": "no-such-village",
                "title": "测试", "narrative": "  ", "received_at": future,
                "parties": [{"role": "petitioner", "name": "张三", "id_number": "110105194912310021", "phone": "12345"}]}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let f = &e["fields"];
    assert!(f["parties[0].id_number"].as_str().unwrap().contains("X"), "{f}");
    assert!(f["place_id"].is_string());
    assert!(f["narrative"].is_string());
    assert!(f["received_at"].as_str().unwrap().contains("晚于现在"));
    assert!(f["parties[0].phone"].is_string());

    // Idempotency: two concurrent requests with one key give one case.
    let place = t.org_id("620702104201").await;
    let body = petition(&place, &local_now_minus(1));
    let send = || {
        api.c
            .post(format!("{}/api/v1/cases", api.base))
            .bearer_auth(&api.token)
            .header("Idempotency-Key", "retry-1")
            .json(&body)
            .send()
    };
    let (a, b) = tokio::join!(send(), send());
    let a: Value = a.unwrap().json().await.unwrap();
    let b: Value = b.unwrap().json().await.unwrap();
    // Both answers name the same case, and there is one.
    assert!(a["id"].is_string() && a["id"] == b["id"], "{a} {b}");
    let (_, list) = api.get("/api/v1/cases?state=all").await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["id"], a["id"]);
    let year = time::local_date(chrono::Utc::now()).format("%Y").to_string();
    assert_eq!(
        list["items"][0]["number"],
        format!("甘州检信〔{year}〕1号"),
        "no number lost to the retry"
    );

    // A stale version is a conflict showing the case as it is now.
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, _) = api
        .post(
            &format!("/api/v1/cases/{id}/replies"),
            json!({"kind": "procedural", "channel": "phone", "body": "已收悉", "version": 1}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, e) = api
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "accept", "version": 1}),
        )
        .await;
    assert_eq!(s, 409);
    assert_eq!(e["code"], "conflict");
    assert_eq!(e["fields"]["status"], "procedural_replied");
}

#[tokio::test]
async fn a_dispute_climbs_the_ladder_is_mediated_and_followed_up() {
    let t = TestApp::spawn("dispute").await;
    let grid = t.api("demo_grid").await;
    let place = t.org_id("620702104201").await;
    let (s, c) = grid
        .post(
            "/api/v1/cases",
            json!({"kind": "dispute", "channel": "grid_screening", "category": "NEIGHBOUR", "place_id": place,
                "title": "张某与邻居排水沟纠纷", "narrative": "邻居翻修院墙堵塞排水沟。", "received_at": local_now_minus(1),
                "parties": [{"role": "petitioner", "name": "张某", "phone": "13912345678"}, {"role": "respondent", "name": "李某"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    assert!(c["number"].as_str().unwrap().starts_with("乌江综治中心调〔"));
    let id = c["id"].as_str().unwrap().to_owned();
    let go = |cmd: &str| json!({"command": cmd});
    // Grading is the assessment.
    assert_eq!(
        grid.post(&format!("/api/v1/cases/{id}/transitions"), go("assign"))
            .await
            .0,
        409
    );
    let (s, _) = grid
        .post(&format!("/api/v1/cases/{id}/risk"), json!({"people": 2}))
        .await;
    assert_eq!(s, 200);
    let (_, d) = grid.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["status"], "risk_graded");
    let (_, c) = grid
        .post(&format!("/api/v1/cases/{id}/transitions"), go("assign"))
        .await;
    assert_eq!(c["level"], "grid");
    let (_, c) = grid
        .post(&format!("/api/v1/cases/{id}/transitions"), go("escalate"))
        .await;
    assert_eq!(c["level"], "village");
    // Escalation makes the assessment stale: resolving needs a new one.
    grid.post(&format!("/api/v1/cases/{id}/transitions"), go("start_mediation"))
        .await;
    let (s, e) = grid
        .post(&format!("/api/v1/cases/{id}/transitions"), go("resolve"))
        .await;
    assert_eq!(s, 409, "{e}");
    grid.post(&format!("/api/v1/cases/{id}/risk"), json!({"people": 2}))
        .await;
    let (s, e) = grid
        .post(
            &format!("/api/v1/cases/{id}/mediations"),
            json!({"mediator": "孙调解员1", "held_at": local_now_minus(0), "place": "村委会调解室", "attendees": "张某、李某",
                "outcome": "agreed", "agreement": "李某三日内疏通排水沟。", "agreement_date": time::local_date(chrono::Utc::now()).to_string()}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, _) = grid
        .post(&format!("/api/v1/cases/{id}/transitions"), go("resolve"))
        .await;
    assert_eq!(s, 200);
    let (_, d) = grid.get(&format!("/api/v1/cases/{id}")).await;
    let clocks = d["clocks"].as_array().unwrap();
    assert!(
        clocks
            .iter()
            .any(|k| k["kind"] == "judicial_confirmation" && k["state"] == "running")
    );
    assert!(
        clocks
            .iter()
            .any(|k| k["kind"] == "grid_closure" && k["state"] == "met")
    );
    grid.post(&format!("/api/v1/cases/{id}/transitions"), go("start_follow_up"))
        .await;
    let (s, _) = grid
        .post(
            &format!("/api/v1/cases/{id}/follow-ups"),
            json!({"satisfaction": "satisfied"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, c) = grid
        .post(&format!("/api/v1/cases/{id}/transitions"), go("close"))
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("closed")));
}

#[tokio::test]
async fn a_government_petition_extension_needs_a_leader_and_a_reason() {
    let t = TestApp::spawn("govpetition").await;
    let partner = t.api("demo_partner").await;
    let place = t.org_id("620702107201").await;
    let (s, c) = partner
        .post(
            "/api/v1/cases",
            json!({"kind": "gov_petition", "channel": "referral", "category": "LAND_ACQUISITION", "place_id": place,
                "title": "反映征地补偿款分配问题", "narrative": "补偿款未足额发放。", "received_at": local_now_minus(0),
                "parties": [{"role": "petitioner", "name": "刘某", "phone": "0936-8212345"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    for cmd in ["route", "accept", "start_handling"] {
        let (s, e) = partner
            .post(
                &format!("/api/v1/cases/{id}/transitions"),
                json!({"command": cmd}),
            )
            .await;
        assert_eq!(s, 200, "{cmd}: {e}");
    }
    let (_, d) = partner.get(&format!("/api/v1/cases/{id}")).await;
    let handling = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "handling")
        .unwrap()
        .clone();
    let today = time::local_date(chrono::Utc::now());
    assert_eq!(
        handling["due"],
        due_date(&calendar(), today, 60, Unit::CalendarDay)
            .unwrap()
            .due
            .to_string()
    );
    let clock = handling["id"].as_str().unwrap();
    let body = json!({"action": "extend", "days": 30, "reason": "案情复杂，需调取征地档案"});
    assert_eq!(
        partner
            .post(&format!("/api/v1/cases/{id}/clocks/{clock}"), body.clone())
            .await
            .0,
        403
    );
    // The head of the agency handling the case approves (§3.3 "approved by organ head").
    let leader = t.api("demo_police_head").await;
    let (s, _) = leader
        .post(
            &format!("/api/v1/cases/{id}/clocks/{clock}"),
            json!({"action": "extend", "days": 30, "reason": " "}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, e) = leader
        .post(&format!("/api/v1/cases/{id}/clocks/{clock}"), body)
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, d) = partner.get(&format!("/api/v1/cases/{id}")).await;
    let k = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "handling")
        .unwrap();
    assert!(k["due"].as_str().unwrap() > handling["due"].as_str().unwrap());
    assert!(k["note"].as_str().unwrap().contains("征地档案"));
    // §3.3: the handling time does not stop; only a re-review's hearing time is not counted.
    let (s, e) = leader
        .post(
            &format!("/api/v1/cases/{id}/clocks/{clock}"),
            json!({"action": "pause", "pause_reason": "hearing", "reason": "组织听证"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["pause_reason"].as_str().unwrap().contains("不能中止"),
        "{e}"
    );
}

#[tokio::test]
async fn the_sweeper_on_two_servers_raises_each_reminder_once() {
    let t = TestApp::spawn("sweeper").await;
    let api = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    // Three petitions received 40 days ago: their 7-day procedural clocks are overdue.
    for _ in 0..3 {
        let (s, e) = api
            .post("/api/v1/cases", petition(&place, &local_now_minus(40)))
            .await;
        assert_eq!(s, 200, "{e}");
    }
    // Two received six days ago: whether their 7-day clocks are "due soon" depends on the calendar;
    // the case page says which, and the sweeper must agree.
    let mut due_soon = 0;
    for _ in 0..2 {
        let (_, c) = api
            .post("/api/v1/cases", petition(&place, &local_now_minus(6)))
            .await;
        let (_, d) = api
            .get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap()))
            .await;
        due_soon += d["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["state"] == "due_soon")
            .count();
    }
    let (other, other_system) = second_app(&t.url, Security::default()).await;
    let today = time::local_date(chrono::Utc::now());
    let other_ctx = gongzhi_app::Ctx::system(&other_system, "server-b");
    let ctx = t.system_ctx();
    let (a, b) = tokio::join!(
        t.app.sweep_deadlines(&ctx, today),
        other.sweep_deadlines(&other_ctx, today)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.1 + b.1, 3, "escalations raised: {a:?} + {b:?}");
    assert_eq!(a.0 + b.0, due_soon, "reminders raised: {a:?} + {b:?}");
    let mut conn = t.db.conn().await.unwrap();
    assert_eq!(
        gongzhi_store::notice::count_notices(&mut conn, "escalation")
            .await
            .unwrap(),
        3
    );
    drop(conn);
    // Again: nothing new.
    assert_eq!(
        t.app.sweep_deadlines(&t.system_ctx(), today).await.unwrap(),
        (0, 0)
    );
    // Through the jobs' lease only one server sweeps at a time.
    let (x, y) = tokio::join!(
        gongzhi_jobs::sweep_once(&t.app, &t.system, "server-a", today),
        gongzhi_jobs::sweep_once(&other, &other_system, "server-b", today)
    );
    assert_eq!(
        [x.unwrap().is_some(), y.unwrap().is_some()]
            .iter()
            .filter(|s| **s)
            .count(),
        1
    );
    // Reminders go to a handler (these cases have none, so to the agency as unassigned work);
    // escalations only to the agency's heads — the clerk sees the reminders, the chief both.
    let (_, inbox) = api.get("/api/v1/inbox").await;
    assert_eq!(inbox["notices"].as_array().unwrap().len(), due_soon, "{inbox}");
    let (_, inbox) = t.api("demo_chief").await.get("/api/v1/inbox").await;
    let kinds: Vec<&str> = inbox["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "escalation").count(), 3, "{inbox}");
    assert_eq!(kinds.len(), 3 + due_soon);
}

#[tokio::test]
async fn the_deadline_calculator_answers_without_an_account() {
    let t = TestApp::spawn("calc").await;
    let c = t.client();
    let v: Value = c
        .get(format!(
            "{}/api/v1/deadlines/calculate?start=2026-02-13&amount=7&unit=calendar_day",
            t.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["due"], "2026-02-24");
    assert_eq!(v["skipped"][0], "2026-02-20");
    let res = c
        .get(format!(
            "{}/api/v1/deadlines/calculate?start=2026-02-30&amount=x&unit=week",
            t.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let e: Value = res.json().await.unwrap();
    assert!(
        e["fields"]["start"].is_string()
            && e["fields"]["amount"].is_string()
            && e["fields"]["unit"].is_string()
    );
    let page = c
        .get(format!(
            "{}/deadlines?start=2025-09-30&amount=3&unit=working_day",
            t.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("2025-10-11"));
}

#[tokio::test]
async fn a_joint_meeting_puts_action_items_in_the_owners_inbox() {
    let t = TestApp::spawn("meeting").await;
    let api = t.api("demo_prosecutor").await;
    let place = t.org_id("620702104201").await;
    let (_, c) = api
        .post("/api/v1/cases", petition(&place, &local_now_minus(0)))
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    let mut conn = t.db.conn().await.unwrap();
    let owner = gongzhi_store::users::by_username(&mut conn, "demo_prosecutor")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    drop(conn);
    let police = t.agency_id("GZ-GAJ").await;
    let body = json!({"title": "涉法涉诉矛盾纠纷共同研判会", "held_at": local_now_minus(0), "place": "区综治中心会商室",
        "conclusions": "明确包案责任人，检察机关释法说理。", "agencies": [police], "cases": [id],
        "items": [{"title": "约谈当事人并释法说理", "owner": owner, "due": "2099-01-01"}]});
    let (s, e) = api
        .post(
            "/api/v1/meetings",
            json!({"title": "", "held_at": "x", "place": "", "conclusions": "", "agencies": [], "cases": []}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(e["fields"]["agencies"].is_string() && e["fields"]["cases"].is_string());
    let (s, e) = api.post("/api/v1/meetings", body).await;
    assert_eq!(s, 200, "{e}");
    let (_, inbox) = api.get("/api/v1/inbox").await;
    assert_eq!(inbox["tasks"][0]["title"], "约谈当事人并释法说理");
    let (_, d) = api.get(&format!("/api/v1/cases/{id}")).await;
    assert!(
        d["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["what"] == "meeting")
    );
}

#[tokio::test]
async fn attachments_are_checked_by_content_and_size_and_the_form_is_kept() {
    let t = TestApp::spawn("attach").await;
    let place = t.org_id("620702104201").await;
    let browser = t
        .browser("demo_reception", gongzhi_test_support::DEMO_PASSWORD)
        .await;
    let form = |file: Vec<u8>, name: &str| {
        reqwest::multipart::Form::new()
            .text("kind", "petition")
            .text("channel", "letter")
            .text("category", "LAW_RELATED")
            .text("place_id", place.clone())
            .text("received_at", local_now_minus(1))
            .text("title", "来信反映执行难")
            .text("narrative", "判决生效两年仍未执行到位。")
            .text("parties[0].role", "petitioner")
            .text("parties[0].name", "马玉兰")
            .text("parties[0].phone", "13993651234")
            .text(
                "idem",
                format!("k-{}", data_encoding::HEXLOWER.encode(name.as_bytes())),
            )
            .part(
                "attachments",
                reqwest::multipart::Part::bytes(file).file_name(name.to_owned()),
            )
    };
    // Too large: 422, every typed field kept.
    let res = browser
        .post(format!("{}/cases", t.base))
        .multipart(form(vec![b'%'; 6 * 1024 * 1024], "判决书.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("超过 5 MB")
            && body.contains("来信反映执行难")
            && body.contains("判决生效两年仍未执行到位")
    );
    // Judged by content, and the name must say the same: an executable is refused, and so is a
    // picture named .pdf, or a page that starts like a PDF; a name that reverses itself too.
    let res = browser
        .post(format!("{}/cases", t.base))
        .multipart(form(b"MZ\x90\x00binary".to_vec(), "证据.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("格式不被接受"));
    let png = [&[0x89u8, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..], b"rest"].concat();
    for (data, name) in [
        (png.clone(), "现场照片.pdf"),
        (b"%PDF-1.4 <script>alert(1)</script>".to_vec(), "x.html"),
    ] {
        let res = browser
            .post(format!("{}/cases", t.base))
            .multipart(form(data, name))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{name}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains("后缀与内容不符") && body.contains("来信反映执行难"),
            "{name}"
        );
    }
    let res = browser
        .post(format!("{}/cases", t.base))
        .multipart(form(png.clone(), "照片\u{202E}gnp.exe"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("改变文字方向") && body.contains("来信反映执行难"));
    let res = browser
        .post(format!("{}/cases", t.base))
        .multipart(form(png, "现场照片.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let case = res.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = browser
        .get(format!("{}{case}", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("现场照片.png"));
    let href = page
        .split("href=\"")
        .find(|s| s.contains("/attachments/"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let file = browser.get(format!("{}{href}", t.base)).send().await.unwrap();
    assert_eq!(file.headers()["content-type"], "image/png");
    assert!(file.bytes().await.unwrap().starts_with(&[0x89, b'P']));
}

#[tokio::test]
async fn reconciliation_needs_the_eligibility_check_and_plans_give_tasks() {
    let t = TestApp::spawn("reconcile").await;
    let juvenile = t.api("demo_juvenile").await;
    let place = t.org_id("620702102201").await;
    let (s, c) = juvenile
        .post(
            "/api/v1/cases",
            json!({"kind": "minor_criminal", "channel": "case_handling", "category": "NEIGHBOUR", "place_id": place,
                "title": "赵某涉嫌故意伤害案（邻里纠纷引发）", "narrative": "邻里因排水沟发生冲突，致一人轻伤。",
                "received_at": local_now_minus(3),
                "parties": [{"role": "victim", "name": "钱某", "phone": "13812340000"}, {"role": "suspect", "name": "赵某"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["status"], "police_case_opened");
    let id = c["id"].as_str().unwrap().to_owned();
    for cmd in ["intervene", "investigate", "transfer_for_review"] {
        assert_eq!(
            juvenile
                .post(
                    &format!("/api/v1/cases/{id}/transitions"),
                    json!({"command": cmd})
                )
                .await
                .0,
            200,
            "{cmd}"
        );
    }
    juvenile
        .post(
            &format!("/api/v1/cases/{id}/risk"),
            json!({"people": 2, "amount_yuan": 20000}),
        )
        .await;
    // Without the check: 422 naming it.
    let (s, e) = juvenile
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "start_reconciliation"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (_, r) = juvenile
        .post(&format!("/api/v1/cases/{id}/reconciliation"), json!({"civil_dispute": true, "chapter_4_or_5": true, "negligent": false, "likely_sentence_years": 5, "intentional_crime_within_5_years": false}))
        .await;
    assert_eq!(r["eligible"], false);
    assert_eq!(r["reasons"], json!(["sentence_too_long"]));
    let (s, _) = juvenile
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "start_reconciliation"}),
        )
        .await;
    assert_eq!(s, 422);
    let (_, r) = juvenile
        .post(&format!("/api/v1/cases/{id}/reconciliation"), json!({"civil_dispute": true, "chapter_4_or_5": true, "negligent": false, "likely_sentence_years": 2, "intentional_crime_within_5_years": false}))
        .await;
    assert_eq!(r["eligible"], true);
    let (s, c) = juvenile
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "start_reconciliation"}),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("reconciliation")));

    // A medium risk with a plan whose tasks land in the owner's inbox.
    let (_, r) = juvenile
        .post(
            &format!("/api/v1/cases/{id}/risk"),
            json!({"people": 6, "plan": "双方家长到场，专人联系"}),
        )
        .await;
    assert_eq!(r["level"], "medium");
    // The review needs the reconciliation on record, its agreement attached (§3.4).
    let agreement = juvenile.attach_pdf(&id, "和解协议书.pdf").await;
    let (s, e) = juvenile
        .post(
            &format!("/api/v1/cases/{id}/reconciliation/record"),
            json!({"remorse": true, "compensation": "赔偿医药费并赔礼道歉", "forgiveness": true,
                "voluntary_and_lawful": true, "agreement_attachment": agreement}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, e) = juvenile
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "review_reconciliation"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let mut conn = t.db.conn().await.unwrap();
    let owner = gongzhi_store::users::by_username(&mut conn, "demo_juvenile")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    drop(conn);
    let (s, e) = juvenile
        .post(&format!("/api/v1/cases/{id}/risk/plan"), json!({"plan": "家访双方，落实赔偿", "tasks": [{"title": "三日内家访被害人", "owner": owner, "due": "2099-01-01"}]}))
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, inbox) = juvenile.get("/api/v1/inbox").await;
    assert_eq!(inbox["tasks"][0]["title"], "三日内家访被害人");
    // Not prosecuting is the chief prosecutor's decision (§3.4).
    let (s, _) = juvenile
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "decide_non_prosecution"}),
        )
        .await;
    assert_eq!(s, 409);
    let (s, c) = t
        .api("demo_chief")
        .await
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "decide_non_prosecution"}),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("non_prosecution")));
}

#[tokio::test]
async fn demo_cases_walk_the_real_workflows() {
    let t = TestApp::spawn("democases").await;
    let added = t.app.seed_demo_cases(&t.system_ctx(), 400).await.unwrap();
    assert!(added > 390, "{added}");
    assert_eq!(
        t.app.seed_demo_cases(&t.system_ctx(), 400).await.unwrap(),
        0,
        "only on an empty database"
    );
    let chief = t.api("demo_chief").await;
    let (_, all) = chief.get("/api/v1/cases?state=all&limit=500").await;
    assert_eq!(all["total"].as_u64().unwrap() as usize, added);
    let items = all["items"].as_array().unwrap();
    for kind in ["petition", "dispute", "gov_petition", "minor_criminal"] {
        assert!(items.iter().any(|c| c["kind"] == kind), "{kind}");
    }
    let statuses: std::collections::BTreeSet<&str> =
        items.iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert!(statuses.len() >= 8, "{statuses:?}");
    let (mut referrals, mut mediations, mut replies, mut decided_without_risk) = (0, 0, 0, 0);
    for c in items {
        let (_, d) = chief
            .get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap()))
            .await;
        referrals += d["referrals"].as_array().unwrap().len();
        mediations += d["mediations"].as_array().unwrap().len();
        replies += d["replies"].as_array().unwrap().len();
        if c["status"] == "closed" && d["risk"].is_null() {
            decided_without_risk += 1;
        }
        assert!(c["number"].as_str().unwrap().ends_with('号'));
    }
    assert!(
        referrals > 0 && mediations > 0 && replies > 0,
        "{referrals} {mediations} {replies}"
    );
    assert_eq!(decided_without_risk, 0, "no case closed without an assessment");
    let today = time::local_date(chrono::Utc::now());
    let (_, escalations) = t.app.sweep_deadlines(&t.system_ctx(), today).await.unwrap();
    assert!(escalations > 0, "some clocks are overdue");
}

/// The rules and the calendar are cached per server and invalidated by a version row: a holiday
/// set on one server moves the next due date computed on another.
#[tokio::test]
async fn a_calendar_change_on_one_server_reaches_the_clocks_of_another() {
    let t = TestApp::spawn_with(
        "calcache",
        Security {
            admin_totp_required: false,
            ..Security::default()
        },
    )
    .await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let received = local_now_minus(0);
    let due = |d: &serde_json::Value| {
        d["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "procedural_reply")
            .unwrap()["due"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (s, c) = reception.post("/api/v1/cases", petition(&place, &received)).await;
    assert_eq!(s, 200, "{c}");
    let (_, d) = reception
        .get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap()))
        .await;
    let first = due(&d);

    let (other, _) = second_app(&t.url, Security::default()).await;
    let admin = t.ctx("demo_sysadmin").await;
    other
        .set_calendar_day(&admin, &first, "", "rest", "测试假日")
        .await
        .unwrap();

    let (s, c) = reception.post("/api/v1/cases", petition(&place, &received)).await;
    assert_eq!(s, 200, "{c}");
    let (_, d) = reception
        .get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap()))
        .await;
    let second = due(&d);
    assert!(
        second > first,
        "the holiday on {first} set on another server moves the due date: {second}"
    );
}

#[tokio::test]
async fn registrations_arriving_together_are_written_together_numbered_without_gaps() {
    let t = TestApp::spawn("together").await;
    let api = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let body = petition(&place, &local_now_minus(0));
    // 48 at once; three pairs share a key (a retry racing its first try).
    let sends: Vec<_> = (0..48)
        .map(|i| {
            let key = if i < 6 {
                format!("pair-{}", i / 2)
            } else {
                format!("one-{i}")
            };
            let req = api
                .c
                .post(format!("{}/api/v1/cases", api.base))
                .bearer_auth(&api.token)
                .header("Idempotency-Key", key)
                .json(&body);
            tokio::spawn(req.send())
        })
        .collect();
    let mut answers = Vec::new();
    for r in sends {
        let r = r.await.unwrap().unwrap();
        assert_eq!(r.status(), 200);
        answers.push(r.json::<Value>().await.unwrap());
    }
    for pair in answers[..6].chunks(2) {
        assert_eq!(
            pair[0]["id"], pair[1]["id"],
            "a retry answers with the first case"
        );
    }
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|a| a["number"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    numbers.dedup();
    let year = time::local_date(chrono::Utc::now()).format("%Y").to_string();
    let mut want: Vec<String> = (1..=45).map(|n| format!("甘州检信〔{year}〕{n}号")).collect();
    want.sort();
    assert_eq!(numbers, want, "45 cases numbered 1 to 45: none twice, none lost");
    let count = |sql: &str| {
        let sql = sql.to_owned();
        let t = &t;
        async move { t.rows(&sql).await[0][0].clone() }
    };
    assert_eq!(count("SELECT COUNT(*) FROM dispute_case").await, "45");
    assert_eq!(count("SELECT COUNT(*) FROM case_party").await, "45");
    assert_eq!(count("SELECT COUNT(*) FROM idempotency").await, "45");
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_event WHERE action = 'case.register'").await,
        "45"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM case_event WHERE kind = 'registered'").await,
        "45"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM case_clock WHERE owner_agency_id IS NULL").await,
        "0",
        "every clock knows its agency"
    );
}
