//! The statute's rules as the workflows use them (DOMAIN.md §3–§4), through the real server.

use gongzhi_app::domain::time;
use gongzhi_test_support::TestApp;
use serde_json::{Value, json};

/// A government petition (§3.3) routed, accepted and in handling: the case as registered and its
/// 60-day handling clock.
pub(crate) async fn gov_petition_in_handling(
    partner: &gongzhi_test_support::Api,
    place: &str,
) -> (Value, Value) {
    let (s, c) = partner
        .post(
            "/api/v1/cases",
            json!({"kind": "gov_petition", "channel": "referral", "category": "LAND_ACQUISITION", "place_id": place,
                "title": "反映征地补偿款分配问题", "narrative": "补偿款未足额发放。",
                "received_at": time::format_local(chrono::Utc::now()),
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
    (c, clock_of(&d, "handling"))
}

/// A case's clock of a kind, from its API detail.
pub(crate) fn clock_of(detail: &Value, kind: &str) -> Value {
    detail["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == kind)
        .unwrap()
        .clone()
}

/// A petition registered at the procuratorate's reception, by visit; returns its id.
pub(crate) async fn visit_petition(
    reception: &gongzhi_test_support::Api,
    place: &str,
    title: &str,
) -> String {
    let (s, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                "title": title, "narrative": "判决未执行。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "马某", "phone": "13993651234"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn dispute(grid: &gongzhi_test_support::Api, place: &str, title: &str) -> String {
    let (s, c) = grid
        .post(
            "/api/v1/cases",
            json!({"kind": "dispute", "channel": "grid_screening", "category": "NEIGHBOUR", "place_id": place,
                "title": title, "narrative": "因宅基地边界发生争执，多人聚集。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "张某", "phone": "13912345678"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

async fn status(api: &gongzhi_test_support::Api, id: &str) -> Value {
    api.get(&format!("/api/v1/cases/{id}")).await.1["case"]["status"].clone()
}

/// §3.1 step 3 with §3.5: a dispute is graded by its assessment once the gate clears — a medium
/// risk at its plan, a high one only after plan, sign-off, every mitigation task done and a
/// reassessment — instead of waiting in "registered" for a grading command the page does not
/// offer, or clearing on a sign-off and any plan text.
#[tokio::test]
async fn a_medium_or_high_risk_dispute_is_graded_when_its_gate_clears() {
    let t = TestApp::spawn("gate_grade").await;
    let grid = t.api("demo_grid").await;
    // The head of the township centre that handles the dispute signs off.
    let leader = t.api("demo_centre_head").await;
    let place = t.org_id("620702104201").await;
    let me = t.user_id("demo_grid").await;

    let high = dispute(&grid, &place, "宅基地纠纷（高风险）").await;
    let (s, r) = grid
        .post(
            &format!("/api/v1/cases/{high}/risk"),
            json!({"people": 8, "extreme_words": true, "plan": "约谈双方"}),
        )
        .await;
    assert_eq!((s, r["level"].as_str()), (200, Some("high")));
    assert_eq!(status(&grid, &high).await, "registered", "no plan, no sign-off");
    // A high risk's plan needs a task with an owner.
    let (s, e) = grid
        .post(
            &format!("/api/v1/cases/{high}/risk/plan"),
            json!({"plan": "包案领导约谈，释法说理"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["tasks[0].title"].is_string(), "{e}");
    let (s, e) = grid
        .post(
            &format!("/api/v1/cases/{high}/risk/plan"),
            json!({"plan": "包案领导约谈，释法说理", "tasks": [{"title": "上门约谈双方", "owner": me, "due": "2026-12-31"}]}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    // It cannot be assessed away before the mitigation.
    let (s, e) = grid
        .post(&format!("/api/v1/cases/{high}/risk"), json!({"people": 1}))
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["risk"].as_str().unwrap().contains("复评"), "{e}");
    let (s, e) = leader
        .post(&format!("/api/v1/cases/{high}/risk/sign-off"), json!({}))
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(status(&grid, &high).await, "registered", "the task is undone");
    let (_, inbox) = grid.get("/api/v1/inbox").await;
    let task = inbox["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["case_id"] == high.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, _) = grid.post(&format!("/api/v1/tasks/{task}/done"), json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(status(&grid, &high).await, "registered", "not yet reassessed");
    let (s, r) = grid
        .post(&format!("/api/v1/cases/{high}/risk"), json!({"people": 8}))
        .await;
    assert_eq!((s, r["level"].as_str()), (200, Some("medium")), "{r}");
    assert_eq!(status(&grid, &high).await, "risk_graded");
    let (_, d) = grid.get(&format!("/api/v1/cases/{high}")).await;
    let steps: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["what"].as_str())
        .collect();
    assert!(steps.ends_with(&["risk-assessed", "cmd-grade"]), "{steps:?}");
    let (_, c) = grid
        .post(
            &format!("/api/v1/cases/{high}/transitions"),
            json!({"command": "assign"}),
        )
        .await;
    assert_eq!(c["status"], "assigned", "the ladder goes on: {c}");

    let medium = dispute(&grid, &place, "宅基地纠纷（中风险）").await;
    // A medium risk is not recorded without its plan: the answer says the level and asks for it.
    let (s, e) = grid
        .post(&format!("/api/v1/cases/{medium}/risk"), json!({"people": 6}))
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["plan"].as_str().unwrap().contains("中风险"), "{e}");
    let (_, d) = grid.get(&format!("/api/v1/cases/{medium}")).await;
    assert!(d["risk"].is_null(), "nothing stored: {d}");
    assert_eq!(status(&grid, &medium).await, "registered");
    let (_, r) = grid
        .post(
            &format!("/api/v1/cases/{medium}/risk"),
            json!({"people": 6, "plan": "村调委会每周回访"}),
        )
        .await;
    assert_eq!(r["level"], "medium");
    assert_eq!(
        status(&grid, &medium).await,
        "risk_graded",
        "graded with its plan"
    );

    // A low risk is graded by the assessment itself, as before.
    let low = dispute(&grid, &place, "宅基地纠纷（低风险）").await;
    grid.post(&format!("/api/v1/cases/{low}/risk"), json!({"people": 2}))
        .await;
    assert_eq!(status(&grid, &low).await, "risk_graded");
}

/// §3.2, §4.1: an urgent petition is handled the same day, also when it arrives on a Saturday —
/// not on the Monday after.
#[tokio::test]
async fn an_urgent_petition_received_on_a_saturday_is_due_that_saturday() {
    use chrono::Datelike;
    let t = TestApp::spawn("urgent_saturday").await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    // The last Saturday before today (so that its morning is not in the future).
    let mut saturday = time::local_date(chrono::Utc::now()).pred_opt().unwrap();
    while saturday.weekday() != chrono::Weekday::Sat {
        saturday = saturday.pred_opt().unwrap();
    }
    let (s, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                "title": "告急：当事人扬言到市里上访", "narrative": "当事人情绪激动。", "urgent": true,
                "received_at": format!("{saturday} 10:30"),
                "parties": [{"role": "petitioner", "name": "王建国", "phone": "13812345678"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let (_, d) = reception
        .get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap()))
        .await;
    let urgent = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "urgent_handling")
        .cloned()
        .unwrap();
    assert_eq!(urgent["due"], saturday.to_string(), "{urgent}");
}

/// §3.2: only an anonymous petition or one without any contact is exempt from the replies; a
/// letter petitioner who gave a postal address and no phone is answered by letter.
#[tokio::test]
async fn a_postal_address_is_a_contact_the_replies_are_owed() {
    let t = TestApp::spawn("contact_address").await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let letter = |parties: Value| {
        json!({"kind": "petition", "channel": "letter", "category": "LAW_RELATED", "place_id": place,
            "title": "来信反映执行难", "narrative": "判决生效两年仍未执行到位。",
            "received_at": time::format_local(chrono::Utc::now() - chrono::Duration::hours(1)),
            "parties": parties})
    };
    let states = |d: &Value| -> Vec<(String, String)> {
        d["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["kind"] == "procedural_reply" || k["kind"] == "result_reply")
            .map(|k| {
                (
                    k["kind"].as_str().unwrap().to_owned(),
                    k["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let (_, c) = reception
        .post(
            "/api/v1/cases",
            letter(json!([{"role": "petitioner", "name": "马玉兰", "address": "甘州区乌江镇某村3组12号"}])),
        )
        .await;
    let (_, d) = reception
        .get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap()))
        .await;
    assert!(states(&d).iter().all(|(_, s)| s == "running"), "{:?}", states(&d));

    // Neither phone nor address: exempt, with the reason recorded.
    let (_, c) = reception
        .post(
            "/api/v1/cases",
            letter(json!([{"role": "petitioner", "name": "马玉兰"}])),
        )
        .await;
    let (_, d) = reception
        .get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap()))
        .await;
    assert!(states(&d).iter().all(|(_, s)| s == "exempt"), "{:?}", states(&d));
}

/// §3.1, 人民调解法 Art. 33: the 30 days for judicial confirmation are the parties' own. A
/// follow-up visit does not meet them, closing the case does not end them, and when they pass
/// without an application they lapse — never escalated as overdue. The parties' application,
/// recorded at a follow-up, meets them.
#[tokio::test]
async fn judicial_confirmation_is_the_parties_time() {
    let t = TestApp::spawn("confirmation").await;
    let grid = t.api("demo_grid").await;
    let place = t.org_id("620702104201").await;
    let today = time::local_date(chrono::Utc::now());
    let agreed = |id: &str| {
        let path = format!("/api/v1/cases/{id}");
        let grid = &grid;
        async move {
            grid.post(&format!("{path}/risk"), json!({"people": 2})).await;
            for cmd in ["assign", "start_mediation"] {
                grid.post(&format!("{path}/transitions"), json!({"command": cmd}))
                    .await;
            }
            let (s, e) = grid
                .post(
                    &format!("{path}/mediations"),
                    json!({"mediator": "孙调解员1", "held_at": time::format_local(chrono::Utc::now()), "place": "村委会调解室",
                        "attendees": "张某、李某", "outcome": "agreed", "agreement": "李某三日内退还占用土地。",
                        "agreement_date": today.to_string()}),
                )
                .await;
            assert_eq!(s, 200, "{e}");
            for cmd in ["resolve", "start_follow_up"] {
                grid.post(&format!("{path}/transitions"), json!({"command": cmd}))
                    .await;
            }
        }
    };
    let confirmation = |d: &Value| {
        d["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "judicial_confirmation")
            .cloned()
            .unwrap()
    };

    let visited = dispute(&grid, &place, "宅基地纠纷（回访）").await;
    agreed(&visited).await;
    grid.post(
        &format!("/api/v1/cases/{visited}/follow-ups"),
        json!({"satisfaction": "satisfied"}),
    )
    .await;
    let (s, c) = grid
        .post(
            &format!("/api/v1/cases/{visited}/transitions"),
            json!({"command": "close"}),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("closed")), "{c}");
    let (_, d) = grid.get(&format!("/api/v1/cases/{visited}")).await;
    assert_eq!(
        confirmation(&d)["state"],
        "running",
        "a visit and the closing leave the parties' time"
    );

    let applied = dispute(&grid, &place, "宅基地纠纷（已申请确认）").await;
    agreed(&applied).await;
    grid.post(
        &format!("/api/v1/cases/{applied}/follow-ups"),
        json!({"satisfaction": "satisfied", "confirmation_applied": true}),
    )
    .await;
    let (_, d) = grid.get(&format!("/api/v1/cases/{applied}")).await;
    assert_eq!(confirmation(&d)["state"], "met", "the parties applied");

    // Forty days on, the sweeper lets the unused time lapse and escalates nothing for it.
    let later = today + chrono::Days::new(40);
    t.app.sweep_deadlines(&t.system_ctx(), later).await.unwrap();
    let (_, d) = grid.get(&format!("/api/v1/cases/{visited}")).await;
    let k = confirmation(&d);
    assert_eq!(k["state"], "exempt", "{k}");
    assert!(k["note"].as_str().unwrap_or("").contains("期满"), "{k}");
    let raised = t
        .rows("SELECT COUNT(*) FROM notice WHERE kind = 'escalation' AND body LIKE '%judicial_confirmation%'")
        .await;
    assert_eq!(raised[0][0], "0", "no escalation for the parties' time");
}

/// §4.8: a first-generation (15-digit) ID number is taken and stored as the 18-character number
/// the person holds now, so that it finds their other cases.
#[tokio::test]
async fn a_fifteen_digit_id_number_is_converted_not_refused() {
    let t = TestApp::spawn("id_fifteen").await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let petition = |id_number: &str| {
        json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
            "title": "王某不服民事判决申请监督", "narrative": "认为判决认定事实错误。",
            "received_at": time::format_local(chrono::Utc::now() - chrono::Duration::hours(1)),
            "parties": [{"role": "petitioner", "name": "王建国", "id_number": id_number, "phone": "13812345678"}]})
    };
    let (s, first) = reception
        .post("/api/v1/cases", petition("11010519491231002X"))
        .await;
    assert_eq!(s, 200, "{first}");
    let (s, c) = reception.post("/api/v1/cases", petition("110105491231002")).await;
    assert_eq!(s, 200, "{c}");
    let (_, d) = reception
        .get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap()))
        .await;
    assert_eq!(d["parties"][0]["id_number"], "1101**********002X");
    assert_eq!(d["parties"][0]["sex"], "female");
    let (_, same) = reception
        .get(&format!(
            "/api/v1/cases?same_party={}&state=all",
            c["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        same["items"][0]["id"], first["id"],
        "the same person's earlier case: {same}"
    );
}

/// §3.3: the government-petition rules are those of 信访工作条例, in force from 2022-05-01.
#[tokio::test]
async fn the_government_petition_rules_start_with_their_regulation() {
    let t = TestApp::spawn("gov_dates").await;
    let rows = t
        .rows("SELECT code, effective_from FROM deadline_rule WHERE case_kind = 'gov_petition' ORDER BY code")
        .await;
    // Routing, acceptance, handling; review and re-review with their windows (Arts. 35–36).
    assert_eq!(rows.len(), 7, "{rows:?}");
    assert!(rows.iter().all(|r| r[1] == "2022-05-01"), "{rows:?}");
    let others = t
        .rows("SELECT COUNT(*) FROM deadline_rule WHERE case_kind <> 'gov_petition' AND effective_from <> '2019-01-01'")
        .await;
    assert_eq!(others[0][0], "0");
}

/// §3.2 exemptions: an anonymous petition cannot be answered, so it is accepted and closed
/// without the procedural and result replies staff would otherwise have to record as sent.
#[tokio::test]
async fn an_anonymous_petition_goes_on_without_the_replies_it_cannot_get() {
    let t = TestApp::spawn("anonymous").await;
    let reception = t.api("demo_reception").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let place = t.org_id("620702104201").await;
    let (s, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "letter", "category": "LAW_RELATED", "place_id": place,
                "title": "匿名来信反映执行问题", "narrative": "反映某案长期未执行。", "anonymous": true,
                "received_at": time::format_local(chrono::Utc::now() - chrono::Duration::hours(1))}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    let (_, d) = prosecutor.get(&format!("/api/v1/cases/{id}")).await;
    assert!(
        d["commands"].as_array().unwrap().iter().any(|x| x == "accept"),
        "{}",
        d["commands"]
    );
    let go = |cmd: &'static str| json!({"command": cmd});
    let (s, c) = prosecutor
        .post(&format!("/api/v1/cases/{id}/transitions"), go("accept"))
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("accepted")), "{c}");
    prosecutor
        .post(&format!("/api/v1/cases/{id}/transitions"), go("start_handling"))
        .await;
    prosecutor
        .post(&format!("/api/v1/cases/{id}/risk"), json!({}))
        .await;
    let (s, c) = prosecutor
        .post(&format!("/api/v1/cases/{id}/transitions"), go("close"))
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("closed")), "{c}");
    let (_, d) = prosecutor.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        d["replies"].as_array().unwrap().len(),
        0,
        "no reply recorded that was never sent"
    );
}

/// §3.3, §4.1: the handling time of a government petition (60 days) is extended once, by at most
/// 30 days; the replies owed to a petitioner are not extended at all. Each refusal names the rule
/// and the largest allowed value.
#[tokio::test]
async fn extensions_keep_to_the_rule_s_limits() {
    let t = TestApp::spawn("extension_limits").await;
    let partner = t.api("demo_partner").await;
    let leader = t.api("demo_police_head").await;
    let place = t.org_id("620702107201").await;
    let (c, clock) = gov_petition_in_handling(&partner, &place).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let handling = clock["id"].as_str().unwrap();
    let extend = |days: u32| json!({"action": "extend", "days": days, "reason": "案情复杂，需调取征地档案"});
    let url = format!("/api/v1/cases/{id}/clocks/{handling}");
    let (s, e) = leader.post(&url, extend(31)).await;
    assert_eq!(s, 422, "{e}");
    let msg = e["fields"]["days"].as_str().unwrap();
    assert!(msg.contains("1–30") && msg.contains("信访工作条例"), "{msg}");
    assert_eq!(leader.post(&url, extend(30)).await.0, 200);
    // §3.3 "reason told to petitioner": the extension and its reason are on the progress page.
    let code = c["tracking_code"].as_str().unwrap();
    let track = t
        .client()
        .post(format!("{}/portal/track", t.base))
        .form(&[("code", code), ("last4", "2345")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        track.contains("延长时限") && track.contains("理由：案情复杂，需调取征地档案"),
        "{track}"
    );
    let (s, e) = leader.post(&url, extend(10)).await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["days"].as_str().unwrap().contains("最多延长 1 次"),
        "{e}"
    );

    // A petition's 7-day procedural reply is not extended.
    let reception = t.api("demo_reception").await;
    let village = t.org_id("620702104201").await;
    let (_, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": village,
                "title": "王某不服民事判决申请监督", "narrative": "认为判决认定事实错误。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "王建国", "phone": "13812345678"}]}),
        )
        .await;
    let pid = c["id"].as_str().unwrap().to_owned();
    let (_, d) = reception.get(&format!("/api/v1/cases/{pid}")).await;
    let procedural = clock_of(&d, "procedural_reply")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, e) = t
        .api("demo_chief")
        .await
        .post(&format!("/api/v1/cases/{pid}/clocks/{procedural}"), extend(3))
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["days"].as_str().unwrap().contains("不能延长"), "{e}");
    // The case page offers no extension of a petition's clocks, and says why.
    let chief = t.browser("demo_chief", gongzhi_test_support::DEMO_PASSWORD).await;
    let page = chief
        .get(format!("{}/cases/{pid}", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains(r#"value="extend""#) && page.contains("本期限不能延长"));
}

/// Issue 9 §11, deliverable 3: approvals belong to the head of the agency handling the case — the
/// chief prosecutor for the procuratorate's, a centre's director for the centre's; a refusal needs
/// a reason and reaches the handler; the committee leader supervises (督办) and does neither.
#[tokio::test]
async fn heads_approve_for_their_own_agency_and_the_committee_supervises() {
    let t = TestApp::spawn("agency_heads").await;
    let grid = t.api("demo_grid").await;
    let place = t.org_id("620702104201").await;
    let me = t.user_id("demo_grid").await;
    let id = dispute(&grid, &place, "林地边界纠纷").await;
    grid.post(
        &format!("/api/v1/cases/{id}/risk"),
        json!({"people": 8, "extreme_words": true, "plan": "约谈双方"}),
    )
    .await;
    let (s, e) = grid
        .post(
            &format!("/api/v1/cases/{id}/risk/plan"),
            json!({"plan": "约谈", "tasks": [{"title": "约谈双方", "owner": me, "due": "2026-12-31"}]}),
        )
        .await;
    assert_eq!(s, 200, "{e}");

    // The chief prosecutor sees the district's cases but approves only the procuratorate's.
    let chief = t.api("demo_chief").await;
    let (s, e) = chief
        .post(&format!("/api/v1/cases/{id}/risk/sign-off"), json!({}))
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["risk"].as_str().unwrap().contains("乌江镇综治中心"),
        "{e}"
    );
    let (_, d) = grid.get(&format!("/api/v1/cases/{id}")).await;
    let clock = d["clocks"][0]["id"].as_str().unwrap().to_owned();
    let (s, e) = chief
        .post(
            &format!("/api/v1/cases/{id}/clocks/{clock}"),
            json!({"action": "extend", "days": 3, "reason": "案情复杂"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["reason"].as_str().unwrap().contains("负责人"), "{e}");
    // The committee leader neither signs off nor changes clocks.
    let leader = t.api("demo_leader").await;
    for path in [
        format!("/api/v1/cases/{id}/risk/sign-off"),
        format!("/api/v1/cases/{id}/clocks/{clock}"),
    ] {
        let (s, _) = leader
            .post(&path, json!({"action": "pause", "reason": "x"}))
            .await;
        assert_eq!(s, 403, "{path}");
    }

    // The centre's head refuses with a reason (required); the handler is told.
    let head = t.api("demo_centre_head").await;
    let (s, e) = head
        .post(&format!("/api/v1/cases/{id}/risk/refuse"), json!({"reason": " "}))
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = head
        .post(
            &format!("/api/v1/cases/{id}/risk/refuse"),
            json!({"reason": "稳控任务缺少包案领导，请补充"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, inbox) = grid.get("/api/v1/inbox").await;
    let refused = inbox["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "risk_refused")
        .unwrap_or_else(|| panic!("{inbox}"));
    assert_eq!(refused["notice"]["reason"], "稳控任务缺少包案领导，请补充");
    assert_eq!(status(&grid, &id).await, "registered", "still blocked");
    let (s, e) = head
        .post(&format!("/api/v1/cases/{id}/risk/sign-off"), json!({}))
        .await;
    assert_eq!(s, 200, "{e}");

    // Supervision: a note is required; the handling agency is told; nothing else changes.
    let (s, _) = leader
        .post(&format!("/api/v1/cases/{id}/supervise"), json!({"note": ""}))
        .await;
    assert_eq!(s, 422);
    let (s, e) = leader
        .post(
            &format!("/api/v1/cases/{id}/supervise"),
            json!({"note": "请于本周内化解并报结果"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, inbox) = t.api("demo_centre").await.get("/api/v1/inbox").await;
    assert!(
        inbox["notices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "supervised" && n["notice"]["note"] == "请于本周内化解并报结果"),
        "{inbox}"
    );
    assert_eq!(
        grid.post(&format!("/api/v1/cases/{id}/supervise"), json!({"note": "x"}))
            .await
            .0,
        403,
        "only the committee supervises"
    );
    let (_, d) = grid.get(&format!("/api/v1/cases/{id}")).await;
    let steps: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["what"].as_str())
        .collect();
    for step in ["risk-sign-off-refused", "risk-signed-off", "supervised"] {
        assert!(steps.contains(&step), "{step} in {steps:?}");
    }
}

/// §3.2 exemptions, point 2: the replies owed are exempted on the record of attempts — three
/// unanswered calls on two days, or a wrong number — not because the petitioner gave no phone.
#[tokio::test]
async fn unanswered_calls_on_the_record_exempt_the_replies_owed() {
    let t = TestApp::spawn("contact_attempts").await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let received = time::format_local(chrono::Utc::now() - chrono::Duration::days(3));
    let (_, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "letter", "category": "LAW_RELATED", "place_id": place,
                "title": "来信反映执行款问题", "narrative": "执行款未到位。", "received_at": received,
                "parties": [{"role": "petitioner", "name": "马某", "phone": "13993651234"}]}),
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    let url = format!("/api/v1/cases/{id}/contact-attempts");
    let day = |n: i64, h: u32| {
        let d = time::local_date(chrono::Utc::now()) - chrono::Days::new(n as u64);
        format!("{d} {h:02}:00")
    };
    // Bad input is named: a time in the future, before the case was received, an unknown outcome.
    let (s, e) = reception
        .post(
            &url,
            json!({"at": "2099-01-01 09:00", "means": "phone", "outcome": "unanswered"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = reception
        .post(
            &url,
            json!({"at": day(10, 9), "means": "phone", "outcome": "unanswered"}),
        )
        .await;
    assert_eq!((s, e["fields"]["at"].is_string()), (422, true), "{e}");
    let (s, e) = reception
        .post(
            &url,
            json!({"at": day(1, 9), "means": "phone", "outcome": "maybe"}),
        )
        .await;
    assert_eq!((s, e["fields"]["outcome"].is_string()), (422, true), "{e}");
    // Two unanswered calls on one day, one on the next: unreachable on the record.
    for (n, h) in [(2, 9), (2, 15)] {
        let (s, r) = reception
            .post(
                &url,
                json!({"at": day(n, h), "means": "phone", "outcome": "unanswered"}),
            )
            .await;
        assert_eq!((s, r["exempted"].is_null()), (200, true), "{r}");
    }
    let (_, r) = reception
        .post(
            &url,
            json!({"at": day(1, 10), "means": "phone", "outcome": "unanswered", "note": "关机"}),
        )
        .await;
    assert_eq!(r["exempted"], "多次联系无人接听，无法答复");
    let (_, d) = reception.get(&format!("/api/v1/cases/{id}")).await;
    let reply_clocks: Vec<&Value> = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["kind"] == "procedural_reply" || k["kind"] == "result_reply")
        .collect();
    assert!(
        reply_clocks
            .iter()
            .all(|k| k["state"] == "exempt" && k["note"] == "多次联系无人接听，无法答复"),
        "{reply_clocks:?}"
    );
    // The reply steps are skipped as for an anonymous petition: acceptance comes straight away.
    assert!(
        d["commands"].as_array().unwrap().iter().any(|c| c == "accept"),
        "{}",
        d["commands"]
    );

    // A wrong number is enough at once.
    let (_, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "letter", "category": "LAW_RELATED", "place_id": place,
                "title": "来信反映问题", "narrative": "执行款未到位。", "received_at": received,
                "parties": [{"role": "petitioner", "name": "赵某", "phone": "13993650000"}]}),
        )
        .await;
    let other = c["id"].as_str().unwrap();
    let (_, r) = reception
        .post(
            &format!("/api/v1/cases/{other}/contact-attempts"),
            json!({"at": day(1, 9), "means": "phone", "outcome": "wrong_number"}),
        )
        .await;
    assert_eq!(r["exempted"], "联系方式有误，无法答复");
}

/// Point 12: a minor without an identity number can be marked, and the case is then protected as
/// any case concerning a minor (nothing of it public).
#[tokio::test]
async fn a_minor_without_an_id_number_is_marked_by_hand() {
    let t = TestApp::spawn("minor_by_hand").await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let (s, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                "title": "反映学生受欺凌问题", "narrative": "孩子在校受欺凌。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "王某", "phone": "13993651234"},
                            {"role": "victim", "name": "王小某", "minor": true}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let (_, d) = reception
        .get(&format!("/api/v1/cases/{}", c["id"].as_str().unwrap()))
        .await;
    assert_eq!(d["parties"][1]["minor"], true, "{d}");
    // Nothing of it may be released for the public (a case concerning a minor).
    let (s, e) = reception
        .post(
            &format!("/api/v1/cases/{}/publication", c["id"].as_str().unwrap()),
            json!({"title": "校园欺凌问题", "reply": "已处理"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
}

/// Point 7: the 2007 rule's clocks run alongside the 7-day / 3-month ones; the monthly progress
/// chain starts after the three months; routing hands a government petition to the competent
/// organ.
#[tokio::test]
async fn the_2007_clocks_run_alongside_and_routing_hands_the_petition_on() {
    let t = TestApp::spawn("rules_2007").await;
    let reception = t.api("demo_reception").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let place = t.org_id("620702104201").await;
    let (_, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                "title": "反映执行难", "narrative": "判决生效两年仍未执行到位。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "马某", "phone": "13993651234"}]}),
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    let state = |d: &Value, kind: &str| -> Value {
        d["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|k| k["kind"] == kind)
            .map(|k| json!([k["state"], k["due"]]))
            .unwrap_or(Value::Null)
    };
    let (_, d) = reception.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(state(&d, "acceptance_notice")[0], "running", "{d}");
    let reply = |kind: &str| json!({"kind": kind, "channel": "letter", "body": "您反映的问题我院已收悉，正在依法办理。"});
    reception
        .post(&format!("/api/v1/cases/{id}/replies"), reply("procedural"))
        .await;
    reception
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "accept"}),
        )
        .await;
    let (_, d) = reception.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(state(&d, "acceptance_notice")[0], "met");
    assert_eq!(state(&d, "internal_transfer")[0], "running");
    prosecutor
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "start_handling"}),
        )
        .await;
    let (_, d) = prosecutor.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(state(&d, "internal_transfer")[0], "met");
    assert_eq!(state(&d, "internal_handling")[0], "running");
    // A progress reply given early answers the 3-month duty; the monthly chain starts after it.
    let result_due = state(&d, "result_reply")[1].as_str().unwrap().to_owned();
    let (s, e) = prosecutor
        .post(&format!("/api/v1/cases/{id}/replies"), reply("progress"))
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, d) = prosecutor.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(state(&d, "result_reply")[0], "met");
    let progress_due = state(&d, "progress_reply")[1].as_str().unwrap().to_owned();
    assert!(
        progress_due > result_due,
        "{progress_due} after the three months ({result_due})"
    );

    // A government petition routed to the competent organ is that organ's to handle.
    let partner = t.api("demo_partner").await;
    let (_, g) = partner
        .post(
            "/api/v1/cases",
            json!({"kind": "gov_petition", "channel": "referral", "category": "LAND_ACQUISITION", "place_id": place,
                "title": "反映土地纠纷调处问题", "narrative": "调处意见未落实。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "刘某", "phone": "13912345678"}]}),
        )
        .await;
    let gid = g["id"].as_str().unwrap().to_owned();
    let (s, e) = partner
        .post(
            &format!("/api/v1/cases/{gid}/transitions"),
            json!({"command": "route", "to_agency": "nonsense"}),
        )
        .await;
    assert_eq!((s, e["fields"]["to_agency"].is_string()), (422, true), "{e}");
    let justice = t.agency_id("GZ-SFJ").await;
    let (s, e) = partner
        .post(
            &format!("/api/v1/cases/{gid}/transitions"),
            json!({"command": "route", "to_agency": justice}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["owner_agency"], "张掖市甘州区司法局", "{e}");
    assert_eq!(
        partner.get(&format!("/api/v1/cases/{gid}")).await.0,
        404,
        "the police branch no longer has it"
    );
}

/// §3.5: an unmitigated high risk is not assessed away after new facts made it stale (escalating
/// the dispute must not open the gate).
#[tokio::test]
async fn escalating_does_not_assess_an_unmitigated_high_risk_away() {
    let t = TestApp::spawn("gate_stale").await;
    let grid = t.api("demo_grid").await;
    let place = t.org_id("620702104201").await;
    let id = dispute(&grid, &place, "水渠纠纷").await;
    grid.post(&format!("/api/v1/cases/{id}/risk"), json!({"people": 1}))
        .await;
    let (_, c) = grid
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "assign"}),
        )
        .await;
    assert_eq!(c["status"], "assigned", "{c}");
    let (_, r) = grid
        .post(
            &format!("/api/v1/cases/{id}/risk"),
            json!({"people": 8, "extreme_words": true, "plan": "约谈双方"}),
        )
        .await;
    assert_eq!(r["level"], "high");
    let (s, _) = grid
        .post(
            &format!("/api/v1/cases/{id}/transitions"),
            json!({"command": "escalate"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, e) = grid
        .post(&format!("/api/v1/cases/{id}/risk"), json!({"people": 1}))
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["risk"].as_str().unwrap().contains("复评"), "{e}");
}

/// Point 12: minority is recomputed from the identity number as the case runs — a party who was
/// 17 when the case came in and is 18 now is shown as such (the case stays one concerning a
/// minor for what is published).
#[tokio::test]
async fn minority_is_recomputed_as_the_case_runs() {
    let t = TestApp::spawn("minor_recomputed").await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let today = time::local_date(chrono::Utc::now());
    let eighteen = today - chrono::Months::new(18 * 12) - chrono::Days::new(3);
    let first17 = format!("620702{}021", eighteen.format("%Y%m%d"));
    let id_number = format!(
        "{first17}{}",
        gongzhi_app::domain::idcard::check_char(first17.as_bytes())
    );
    let (_, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                "title": "反映校园欺凌", "narrative": "去年在校受欺凌。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "周某", "id_number": id_number, "phone": "13993651234"}]}),
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    // As if registered four days ago, when the petitioner was 17.
    t.rows(&format!("UPDATE case_party SET minor = 1 WHERE case_id = '{id}'"))
        .await;
    let (_, d) = reception.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["parties"][0]["minor"], false, "18 now: {d}");
    let page = t
        .browser("demo_reception", gongzhi_test_support::DEMO_PASSWORD)
        .await
        .get(format!("{}/cases/{id}", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("立案时未成年"));
}
