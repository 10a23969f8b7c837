//! Issue 13 §2: likely repeats at intake — by phone or identity number, by the same petitioner and
//! respondent, by a narrative within three bits of SimHash — shown only among cases the clerk may
//! open, and registered as a repeat petition that the case page and the risk count then show.

use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

/// A narrative of the length petitions have, and the same one brought again through another door.
const NARRATIVE: &str = "村民王建国反映，其家庭承包的三亩耕地自二〇二四年春季起被邻居李四强行占用种植玉米，多次找村委会协调未果。王建国称该地块有土地承包经营权证，四至清楚，李四以祖辈曾耕种为由拒不退还，并在地头修建围墙。村调解委员会曾于今年五月组织调解，双方未达成一致。王建国要求依法确认承包经营权，责令李四退还土地并赔偿损失，情绪较为激动，表示如不解决将到市里上访。";
const AGAIN: &str = "村民王建国再次反映，其家庭承包的三亩耕地自二〇二四年春季起被邻居李四强行占用种植玉米，多次找村委会协调未果。王建国称该地块有土地承包经营权证，四至清楚，李四以祖辈曾耕种为由拒不退还，并在地头修建围墙。村调解委员会曾于今年五月组织调解，双方未达成一致。王建国要求依法确认承包经营权，责令李四退还土地并赔偿损失，情绪较为激动，表示如不解决将到市里上访。";

fn body(village: &str, narrative: &str, petitioner: &str, phone: &str, respondent: &str) -> Value {
    json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": village,
        "title": "反映土地被占", "narrative": narrative,
        "received_at": time::format_local(chrono::Utc::now()),
        "parties": [{"role": "petitioner", "name": petitioner, "phone": phone},
                    {"role": "respondent", "name": respondent}]})
}

async fn likely(api: &Api, b: &Value) -> Vec<(String, Vec<String>)> {
    let (s, v) = api.post("/api/v1/cases/duplicates", b.clone()).await;
    assert_eq!(s, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_owned(),
                l["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_earlier_case_is_found_by_phone_parties_or_text_and_linked_as_a_repeat() {
    let t = TestApp::spawn("dups").await;
    let village = t.org_id("620702104201").await;
    let clerk = t.api("demo_reception").await;
    let (s, first) = clerk
        .post(
            "/api/v1/cases",
            body(&village, NARRATIVE, "王建国", "13993652001", "李四"),
        )
        .await;
    assert_eq!(s, 200, "{first}");
    let first = first["id"].as_str().unwrap().to_owned();

    // The same phone; the same petitioner and respondent; a narrative three bits away.
    let by_phone = likely(
        &clerk,
        &body(
            &village,
            "另一件事：邻居修房挡光。",
            "王某",
            "13993652001",
            "赵某",
        ),
    )
    .await;
    assert_eq!(by_phone, vec![(first.clone(), vec!["same_phone".to_owned()])]);
    let by_names = likely(
        &clerk,
        &body(&village, "另一件事：邻居修房挡光。", "王建国", "", "李四"),
    )
    .await;
    assert_eq!(by_names, vec![(first.clone(), vec!["same_parties".to_owned()])]);
    let by_text = likely(&clerk, &body(&village, AGAIN, "王某", "", "")).await;
    assert_eq!(by_text, vec![(first.clone(), vec!["similar_text".to_owned()])]);
    assert!(
        likely(
            &clerk,
            &body(&village, "小区停车收费过高。", "钱某", "13993652999", "")
        )
        .await
        .is_empty()
    );

    // The police's clerk is shown nothing of the procuratorate's case.
    let police = t.api("demo_partner").await;
    assert!(
        likely(&police, &body(&village, AGAIN, "王建国", "13993652001", "李四"))
            .await
            .is_empty()
    );
    let mut theirs = body(&village, AGAIN, "王建国", "13993652001", "李四");
    theirs["repeat_of"] = json!(first);
    let (s, e) = police.post("/api/v1/cases", theirs).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["repeat_of"].as_str().unwrap().contains("无权"), "{e}");

    // Registered as a repeat: the link is kept, the case page names the earlier case, and the
    // risk assessment counts it as an earlier petition.
    let mut again = body(&village, AGAIN, "王建国", "13993652001", "李四");
    again["repeat_of"] = json!(first);
    let (s, second) = clerk.post("/api/v1/cases", again).await;
    assert_eq!(s, 200, "{second}");
    let second = second["id"].as_str().unwrap().to_owned();
    let links = t
        .rows(&format!(
            "SELECT other_id, kind FROM case_link WHERE case_id = '{second}'"
        ))
        .await;
    assert_eq!(links, vec![vec![first.clone(), "repeat".to_owned()]]);
    let web = t
        .browser("demo_reception", gongzhi_test_support::DEMO_PASSWORD)
        .await;
    let html = web
        .get(format!("{}/cases/{second}", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"repeats\"") && html.contains(&format!("/cases/{first}")),
        "{html}"
    );
    // The risk form offers the earlier petition it counted (no identity number was given: the
    // repeat link alone counts it).
    assert!(
        html.contains("name=\"earlier_petitions\" inputmode=\"numeric\" value=\"1\""),
        "{html}"
    );

    // The intake form's panel: the candidates with a choice, the clerk's choice kept.
    let r = web
        .post(format!("{}/cases/duplicates", t.base))
        .header("origin", &t.base)
        .form(&[
            ("title", "反映土地被占"),
            ("narrative", AGAIN),
            ("parties[0].role", "petitioner"),
            ("parties[0].name", "王某"),
            ("repeat_of", first.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let panel = r.text().await.unwrap();
    assert!(
        panel.contains("可能是重复信访") && panel.contains("内容相近"),
        "{panel}"
    );
    assert!(panel.contains(&format!("value=\"{first}\" checked")), "{panel}");
}
