//! Issue 11 §5: the chief prosecutor's reception day — a published schedule held to 12 a year per
//! leader, booking by staff and on the portal (captcha, never overbooked), the reception record
//! that opens or links a case, and 包案 shown on the case and in the leader's inbox until closed.

use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

fn today() -> String {
    time::local_date(chrono::Utc::now()).to_string()
}

async fn schedule(api: &Api, leader: &str, day: &str, half: &str, more: Value) -> (u16, Value) {
    let mut body = json!({"leader_id": leader, "day": day, "half": half, "place": "检察长接待室", "capacity": 2, "publish": true});
    if let (Some(b), Some(m)) = (body.as_object_mut(), more.as_object()) {
        b.extend(m.clone());
    }
    api.post("/api/v1/reception-days", body).await
}

async fn book(api: &Api, slot: &str, name: &str) -> (u16, Value) {
    api.post(
        &format!("/api/v1/reception-days/{slot}/visits"),
        json!({"name": name, "phone": "13993651234", "matter": "对宅基地边界处理结果不服"}),
    )
    .await
}

async fn step(api: &Api, visit: &str, name: &str, body: Value) -> (u16, Value) {
    api.post(&format!("/api/v1/reception-visits/{visit}/steps/{name}"), body)
        .await
}

/// Books on the portal as a member of the public; returns the page.
async fn book_on_portal(t: &TestApp, slot: &str, answer_right: bool) -> (u16, String) {
    let c = t.client();
    let page = c
        .get(format!("{}/portal/reception", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (token, answer) = crate::public::captcha(t, &page);
    let answer = if answer_right { answer } else { "0000".into() };
    let res = c
        .post(format!("{}/portal/reception", t.base))
        .form(&[
            ("slot", slot),
            ("name", "马玉兰"),
            ("phone", "13993658888"),
            ("matter", "土地承包经营权被调整，多次反映未解决"),
            ("captcha_token", &token),
            ("captcha", &answer),
        ])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_reception_day_from_schedule_to_owned_case_closed() {
    let t = TestApp::spawn("reception").await;
    let clerk = t.api("demo_reception").await;
    let chief = t.api("demo_chief").await;
    let chief_id = t.user_id("demo_chief").await;
    let head_id = t.user_id("demo_prosecutor").await;
    let (s, made) = schedule(&clerk, &chief_id, &today(), "am", json!({})).await;
    assert_eq!(s, 200, "{made}");
    let slot = made["ids"][0].as_str().unwrap().to_owned();
    // The same half day twice names the leader; the past and silly capacities are refused.
    let (s, e) = schedule(&clerk, &chief_id, &today(), "am", json!({})).await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["day"].as_str().unwrap().contains("已有接访安排"),
        "{e}"
    );
    let (s, e) = schedule(&clerk, &chief_id, "2020-01-01", "pm", json!({})).await;
    assert_eq!(s, 422);
    assert!(e["fields"]["day"].as_str().unwrap().contains(&today()), "{e}");
    let (s, _) = schedule(&clerk, &chief_id, &today(), "pm", json!({"capacity": 0})).await;
    assert_eq!(s, 422);
    let (s, _) = schedule(&clerk, &t.user_id("demo_grid").await, &today(), "pm", json!({})).await;
    assert_eq!(s, 422, "a grid worker does not receive visitors");
    // A department head monthly through next year: twelve, and that year's minimum is met.
    let next = chrono::Datelike::year(&time::local_date(chrono::Utc::now())) + 1;
    let (s, year) = schedule(
        &clerk,
        &head_id,
        &format!("{next}-01-31"),
        "pm",
        json!({"monthly": true}),
    )
    .await;
    assert_eq!(s, 200, "{year}");
    assert_eq!(year["ids"].as_array().unwrap().len(), 12);
    let leader = |list: &Value, id: &str| {
        list["leaders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["leader_id"] == id)
            .cloned()
            .unwrap()
    };
    let (_, list) = clerk.get("/api/v1/reception-days").await;
    assert_eq!(leader(&list, &chief_id)["shortfall"], 11, "{list}");
    let (_, list) = clerk.get(&format!("/api/v1/reception-days?year={next}")).await;
    assert_eq!(leader(&list, &head_id)["shortfall"], 0, "{list}");
    assert_eq!(list["total"], 12);
    assert_eq!(
        list["items"][1]["day"],
        format!("{next}-02-28"),
        "a short month's last day"
    );

    // Two places: one booked at the desk, one on the portal; a third is refused.
    let (s, first) = book(&clerk, &slot, "王建国").await;
    assert_eq!(s, 200, "{first}");
    let first = first["id"].as_str().unwrap().to_owned();
    let (s, page) = book_on_portal(&t, &slot, false).await;
    assert_eq!(s, 422, "a wrong captcha");
    assert!(page.contains("马玉兰"), "what was typed is kept");
    let (s, page) = book_on_portal(&t, &slot, true).await;
    assert_eq!(s, 200);
    assert!(page.contains("id=\"booking-code\""), "{page}");
    let (s, e) = book(&clerk, &slot, "李四").await;
    assert_eq!(s, 422);
    assert!(e["fields"]["slot"].as_str().unwrap().contains("约满"), "{e}");
    // The portal schedule shows the leader and no visitor.
    let portal = t
        .client()
        .get(format!("{}/portal/reception", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(portal.contains("已约满") && !portal.contains("王建国") && !portal.contains("马玉兰"));
    // A day with visitors is not cancelled under them.
    let (s, _) = clerk
        .post(&format!("/api/v1/reception-days/{slot}/steps/cancel"), json!({}))
        .await;
    assert_eq!(s, 422);
    let (_, day) = clerk.get(&format!("/api/v1/reception-days/{slot}")).await;
    let second = day["visits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["channel"] == "portal")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Owning needs a case; the chief owns the first visitor's matter with a new petition.
    let (s, e) = step(&chief, &first, "own", json!({"record": "听取诉求，决定包案"})).await;
    assert_eq!(s, 422);
    assert!(e["fields"]["case_number"].is_string(), "{e}");
    let village = t.org_id("620702104201").await;
    let (s, e) = step(
        &chief,
        &first,
        "own",
        json!({"record": "听取诉求，决定包案", "new_case": true, "place_id": village, "category": "LAW_RELATED", "title": "王建国反映宅基地边界处理不公"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let (_, v) = chief.get(&format!("/api/v1/reception-visits/{first}")).await;
    assert_eq!(v["state"], "owned");
    let case_id = v["case_id"].as_str().unwrap().to_owned();
    let number = v["case_number"].as_str().unwrap().to_owned();
    let rows = t
        .rows(&format!(
            "SELECT channel, kind FROM dispute_case WHERE id = '{case_id}'"
        ))
        .await;
    assert_eq!(rows[0], ["reception_day", "petition"]);
    let case_page = t.page_text("demo_chief", &format!("/cases/{case_id}")).await;
    assert!(case_page.contains("包案领导"), "shown on the case");
    let inbox = t.page_text("demo_chief", "/inbox").await;
    assert!(
        inbox.contains("我包案的事项") && inbox.contains(&number),
        "in the leader's inbox"
    );
    // The portal visitor's matter is answered on the spot and linked to that case by its number.
    let (s, e) = step(
        &chief,
        &second,
        "answer",
        json!({"record": "当场释法", "case_number": "甘州检信〔1999〕1号"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["case_number"].as_str().unwrap().contains("1999"),
        "{e}"
    );
    let (s, _) = step(
        &chief,
        &second,
        "answer",
        json!({"record": "当场释法", "case_number": number}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = step(&chief, &second, "answer", json!({"record": "再答复一次"})).await;
    assert_eq!(s, 422, "answered once");

    // Closed only once its case is.
    let (s, e) = step(&chief, &first, "close", json!({"record": "已办结"})).await;
    assert_eq!(s, 422);
    assert!(e["fields"]["command"].as_str().unwrap().contains(&number), "{e}");
    t.rows(&format!(
        "UPDATE dispute_case SET status = 'closed' WHERE id = '{case_id}'"
    ))
    .await;
    let (s, e) = step(
        &chief,
        &first,
        "close",
        json!({"record": "答复意见已送达，来访人息诉"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let inbox = t.page_text("demo_chief", "/inbox").await;
    assert!(!inbox.contains("我包案的事项"));
}

#[tokio::test]
async fn cancelling_frees_the_place_and_nobody_else_may_schedule_or_receive() {
    let t = TestApp::spawn("receptionrefusals").await;
    let clerk = t.api("demo_reception").await;
    let chief_id = t.user_id("demo_chief").await;
    let tomorrow = (time::local_date(chrono::Utc::now()) + chrono::Duration::days(1)).to_string();
    let (_, made) = schedule(&clerk, &chief_id, &tomorrow, "am", json!({"capacity": 1})).await;
    let slot = made["ids"][0].as_str().unwrap().to_owned();
    let (_, first) = book(&clerk, &slot, "王建国").await;
    let first = first["id"].as_str().unwrap().to_owned();
    assert_eq!(book(&clerk, &slot, "李四").await.0, 422);
    // Received only on its day.
    let chief = t.api("demo_chief").await;
    let (s, e) = step(&chief, &first, "answer", json!({"record": "提前接谈"})).await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["command"].as_str().unwrap().contains(&tomorrow),
        "{e}"
    );
    let (s, _) = step(&clerk, &first, "cancel", json!({"record": "来访人改期"})).await;
    assert_eq!(s, 200);
    assert_eq!(
        book(&clerk, &slot, "李四").await.0,
        200,
        "the place is free again"
    );

    // A draft is not on the public schedule and cannot be booked by anyone.
    let (_, draft) = schedule(&clerk, &chief_id, &tomorrow, "pm", json!({"publish": false})).await;
    let draft = draft["ids"][0].as_str().unwrap().to_owned();
    assert_eq!(book(&clerk, &draft, "王五").await.0, 422);
    let (s, page) = book_on_portal(&t, &draft, true).await;
    assert_eq!(s, 422);
    assert!(
        page.contains("已取消，请重新选择"),
        "the portal says the slot is gone"
    );

    // Nobody without the roles: not signed in, a partner agency, a prosecutor scheduling.
    let res = t
        .client()
        .get(format!("{}/api/v1/reception-days", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let police = t.api("demo_partner").await;
    assert_eq!(police.get("/api/v1/reception-days").await.0, 403);
    assert_eq!(police.get(&format!("/api/v1/reception-days/{slot}")).await.0, 403);
    let prosecutor = t.api("demo_prosecutor").await;
    assert_eq!(
        prosecutor.get(&format!("/api/v1/reception-days/{slot}")).await.0,
        200
    );
    let (s, _) = schedule(&prosecutor, &chief_id, &tomorrow, "pm", json!({})).await;
    assert_eq!(s, 403);
    // A department head may not record the chief's reception.
    let (_, d) = clerk.get(&format!("/api/v1/reception-days/{slot}")).await;
    let second = d["visits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["state"] == "booked")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, v) = prosecutor
        .get(&format!("/api/v1/reception-visits/{second}"))
        .await;
    assert_eq!(v["commands"], json!([]), "{v}");
    let (s, _) = step(&prosecutor, &second, "no_show", json!({"record": "未到"})).await;
    assert_eq!(s, 403);
    let audit = t
        .rows("SELECT COUNT(*) FROM audit_event WHERE action = 'reception.book'")
        .await;
    assert_eq!(audit[0][0], "2", "each booking made is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bookings_at_once_never_overfill_a_day() {
    let t = TestApp::spawn("receptionrace").await;
    let clerk = std::sync::Arc::new(t.api("demo_reception").await);
    let (_, made) = schedule(
        &clerk,
        &t.user_id("demo_chief").await,
        &today(),
        "pm",
        json!({"capacity": 3}),
    )
    .await;
    let slot = made["ids"][0].as_str().unwrap().to_owned();
    let tries = (0..10).map(|k| {
        let (clerk, slot) = (clerk.clone(), slot.clone());
        tokio::spawn(async move { book(&clerk, &slot, &format!("来访人{k}")).await.0 })
    });
    let mut codes = Vec::new();
    for t in tries {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 3, "{codes:?}");
    assert!(codes.iter().all(|c| *c == 200 || *c == 422), "{codes:?}");
    let (_, day) = clerk.get(&format!("/api/v1/reception-days/{slot}")).await;
    assert_eq!(day["booked"], 3);
    assert_eq!(day["visits"].as_array().unwrap().len(), 3);
}
