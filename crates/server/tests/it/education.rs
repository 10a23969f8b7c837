//! Issue 12 §4: legal-education events — planned, held, their audience recorded, published; a post
//! online needs its platform; linked cases shown with the parties masked and only if the planner
//! may see them; the count per township and month; only the organising agency records its events.

use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

async fn step(api: &Api, id: &str, name: &str, body: Value) -> (u16, Value) {
    api.post(&format!("/api/v1/education-events/{id}/steps/{name}"), body)
        .await
}

#[tokio::test]
async fn an_event_is_planned_held_recorded_and_published_and_counted_for_its_township() {
    let t = TestApp::spawn("education").await;
    let reception = t.api("demo_reception").await;
    let village = t.org_id("620702104201").await;
    let case = crate::statute::visit_petition(&reception, &village, "宅基地边界纠纷").await;
    let number = t
        .rows(&format!("SELECT number FROM dispute_case WHERE id = '{case}'"))
        .await[0][0]
        .clone();
    let party = t
        .rows(&format!("SELECT name FROM case_party WHERE case_id = '{case}'"))
        .await[0][0]
        .clone();
    let prosecutor = t.api("demo_prosecutor").await;
    let year = chrono::Datelike::year(&gongzhi_app::domain::time::local_date(chrono::Utc::now()));
    let body = json!({"kind": "hearing_talk", "topic": "上门听证后以案释法：宅基地纠纷", "starts_at": format!("{year}-03-26 09:30"),
        "venue_kind": "village", "place_id": village, "venue": "乌江村村委会", "speakers": "刘检察官",
        "audience_expected": 60, "cases": [number]});
    // Bad input is named field by field; nothing is stored.
    let (s, e) = prosecutor
        .post(
            "/api/v1/education-events",
            json!({"kind": "online_post", "topic": "", "starts_at": "明天", "speakers": ""}),
        )
        .await;
    assert_eq!(s, 422);
    for f in ["topic", "starts_at", "speakers", "platform"] {
        assert!(e["fields"][f].is_string(), "{f}: {e}");
    }
    let mut unknown = body.clone();
    unknown["cases"] = json!(["甘州检信〔1999〕9号"]);
    let (s, e) = prosecutor.post("/api/v1/education-events", unknown).await;
    assert_eq!(s, 422);
    assert!(e["fields"]["cases"].as_str().unwrap().contains("1999"), "{e}");
    assert_eq!(t.rows("SELECT COUNT(*) FROM education_event").await[0][0], "0");
    // Only the agencies that teach plan events.
    assert_eq!(
        t.api("demo_grid")
            .await
            .post("/api/v1/education-events", body.clone())
            .await
            .0,
        403
    );
    let (s, c) = prosecutor.post("/api/v1/education-events", body).await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    // The case is shown with the party's name masked.
    let (_, v) = prosecutor.get(&format!("/api/v1/education-events/{id}")).await;
    assert_eq!(v["cases"][0]["number"], number.as_str());
    assert_eq!(v["commands"], json!(["announce", "hold", "cancel"]));
    let page = t.page_text("demo_grid", &format!("/education/{id}")).await;
    assert!(
        !page.contains(&party),
        "a grid worker sees the event, not the party's name"
    );
    assert_eq!(
        step(&prosecutor, &id, "record", json!({"attendance": 50}))
            .await
            .0,
        422,
        "held first"
    );
    assert_eq!(step(&prosecutor, &id, "hold", json!({})).await.0, 200);
    let (s, e) = step(&prosecutor, &id, "record", json!({"attendance": -1})).await;
    assert_eq!(s, 422);
    assert!(e["fields"]["attendance"].is_string());
    assert_eq!(
        step(&prosecutor, &id, "record", json!({"attendance": 58}))
            .await
            .0,
        200
    );
    let (s, e) = step(&prosecutor, &id, "publish", json!({})).await;
    assert_eq!(s, 422, "what is published is written first: {e}");
    assert_eq!(
        step(
            &prosecutor,
            &id,
            "publish",
            json!({"summary": "检察官结合案例讲解宅基地使用权，58名村民参加。"})
        )
        .await
        .0,
        200
    );
    // Another agency sees it and may not record it.
    let police = t.api("demo_partner").await;
    assert_eq!(police.get(&format!("/api/v1/education-events/{id}")).await.0, 200);
    assert_eq!(step(&police, &id, "cancel", json!({})).await.0, 422);
    // Counted for 乌江镇 in March, with its attendance.
    let (_, k) = prosecutor
        .get(&format!("/api/v1/education-counts?year={year}"))
        .await;
    assert_eq!(k["total"], 1, "{k}");
    let row = k["townships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["attendance"] == 58)
        .unwrap();
    assert_eq!(row["months"][2], 1);
    let (_, list) = prosecutor
        .get(&format!("/api/v1/education-events?month={year}-03"))
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["state"], "published");
    let (_, none) = prosecutor
        .get(&format!("/api/v1/education-events?month={year}-04"))
        .await;
    assert_eq!(none["total"], 0);
    let res = t
        .client()
        .get(format!("{}/api/v1/education-events", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // The portal shows what was published — never the case or the party.
    let portal = |t: &TestApp| {
        let c = t.client();
        let url = format!("{}/portal/education", t.base);
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = portal(&t).await;
    assert!(
        page.contains("58名村民参加") && page.contains("58 人参加"),
        "{page}"
    );
    assert!(!page.contains(&party) && !page.contains(&number) && !page.contains("刘检察官"));
    // A planned event is not on it.
    let (_, c) = prosecutor
        .post(
            "/api/v1/education-events",
            json!({"kind": "online_post", "topic": "小李讲法｜尚未推送",
            "starts_at": format!("{year}-12-30 20:00"), "platform": "wechat", "speakers": "小李"}),
        )
        .await;
    assert!(c["id"].is_string(), "{c}");
    assert!(!portal(&t).await.contains("尚未推送"));
}
