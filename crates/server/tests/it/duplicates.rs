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

/// (kind, state, held state) of each of the case's clocks.
async fn clocks(t: &TestApp, case: &str) -> Vec<Vec<String>> {
    t.rows(&format!(
        "SELECT kind, state, COALESCE(held_state, '-'), due_date FROM case_clock WHERE case_id = '{case}' ORDER BY id"
    ))
    .await
}

async fn version(api: &Api, case: &str) -> i64 {
    api.get(&format!("/api/v1/cases/{case}")).await.1["case"]["version"]
        .as_i64()
        .unwrap()
}

async fn listed(api: &Api, case: &str) -> bool {
    let (_, list) = api.get("/api/v1/cases?state=all&limit=500").await;
    list["items"].as_array().unwrap().iter().any(|c| c["id"] == case)
}

#[tokio::test]
async fn a_true_duplicate_is_merged_with_nothing_lost_and_the_merge_is_taken_back_exactly() {
    let t = TestApp::spawn("merge").await;
    let village = t.org_id("620702104201").await;
    let clerk = t.api("demo_reception").await;
    let handler = t.api("demo_prosecutor").await;
    let mut ids = Vec::new();
    for narrative in [NARRATIVE, AGAIN, "小区停车收费过高，业主多次协商无果。"] {
        let (s, c) = clerk
            .post(
                "/api/v1/cases",
                body(&village, narrative, "王建国", "13993652101", "李四"),
            )
            .await;
        assert_eq!(s, 200, "{c}");
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let (first, second, third) = (ids[0].clone(), ids[1].clone(), ids[2].clone());

    // The registered case's own candidates, shown only to who may handle it.
    let (s, found) = handler.get(&format!("/api/v1/cases/{second}/duplicates")).await;
    assert_eq!(s, 200, "{found}");
    let first_found = found
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == first.as_str())
        .unwrap();
    assert_eq!(
        first_found["reasons"],
        json!(["same_phone", "similar_text"]),
        "{found}"
    );
    let police = t.api("demo_partner").await;
    assert_eq!(
        police.get(&format!("/api/v1/cases/{second}/duplicates")).await.0,
        404
    );
    for (path, b) in [
        ("links", json!({"other_id": first, "kind": "repeat"})),
        ("merge", json!({"into": first, "version": 1})),
        ("unmerge", json!({"version": 1})),
    ] {
        let (s, e) = police.post(&format!("/api/v1/cases/{second}/{path}"), b).await;
        assert_eq!(s, 404, "{path}: {e}");
    }

    // Not the same matter: not suggested again, either way round.
    let (s, e) = handler
        .post(
            &format!("/api/v1/cases/{third}/links"),
            json!({"other_id": first, "kind": "dismissed"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, found) = handler.get(&format!("/api/v1/cases/{first}/duplicates")).await;
    let found: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(
        found.contains(&second.as_str()) && !found.contains(&third.as_str()),
        "{found:?}"
    );
    for (b, key) in [
        (json!({"other_id": first, "kind": "maybe"}), "kind"),
        (json!({"other_id": third, "kind": "repeat"}), "other_id"),
        (json!({"other_id": "nonsense", "kind": "repeat"}), "other_id"),
    ] {
        let (s, e) = handler.post(&format!("/api/v1/cases/{third}/links"), b).await;
        assert_eq!(s, 422, "{e}");
        assert!(e["fields"][key].is_string(), "{e}");
    }

    // A merge refused half way — a stale version, a case unknown — leaves both as they were.
    let before = clocks(&t, &second).await;
    assert!(!before.is_empty());
    let v = version(&handler, &second).await;
    let (s, e) = handler
        .post(
            &format!("/api/v1/cases/{second}/merge"),
            json!({"into": first, "version": v - 1}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    let (s, e) = handler
        .post(
            &format!("/api/v1/cases/{second}/merge"),
            json!({"into": "nonsense", "version": v}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(clocks(&t, &second).await, before);
    assert_eq!(version(&handler, &second).await, v);

    // Merged: out of the list and the words of the search, held clocks, found by its number, and
    // shown from the case that carries on; no more work on it.
    let (s, e) = handler
        .post(
            &format!("/api/v1/cases/{second}/merge"),
            json!({"into": first, "version": v}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert!(!listed(&handler, &second).await && listed(&handler, &first).await);
    let held = clocks(&t, &second).await;
    for (b, h) in before.iter().zip(&held) {
        assert_eq!(
            (h[1].as_str(), &h[2], &h[3]),
            ("exempt", &b[1], &b[3]),
            "{held:?}"
        );
    }
    let search = |q: &str| {
        let url = reqwest::Url::parse_with_params("http://x/", [("q", q)]).unwrap();
        format!("/api/v1/search?{}", url.query().unwrap())
    };
    let (_, hits) = handler.get(&search("再次反映")).await;
    assert_eq!(hits["total"], 0, "{hits}");
    let number = handler.get(&format!("/api/v1/cases/{second}")).await.1["case"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, hits) = handler.get(&search(&number)).await;
    assert_eq!(hits["items"][0]["id"], second.as_str(), "{hits}");
    let (s, e) = handler
        .post(
            &format!("/api/v1/cases/{second}/transitions"),
            json!({"command": "accept"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["case"].as_str().unwrap().contains("已合并"), "{e}");
    // Nothing else may be merged into it, nor may the case it went into be merged away.
    let (s, e) = handler
        .post(
            &format!("/api/v1/cases/{third}/merge"),
            json!({"into": second, "version": 2}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = handler
        .post(
            &format!("/api/v1/cases/{first}/merge"),
            json!({"into": third, "version": version(&handler, &first).await}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["into"].is_string(), "{e}");
    let web = t
        .browser("demo_prosecutor", gongzhi_test_support::DEMO_PASSWORD)
        .await;
    let page = |id: String| {
        let web = web.clone();
        let base = t.base.clone();
        async move {
            web.get(format!("{base}/cases/{id}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let html = page(first.clone()).await;
    assert!(
        html.contains("id=\"merged-from\"") && html.contains(&format!("/cases/{second}")),
        "{html}"
    );
    let html = page(second.clone()).await;
    assert!(
        html.contains("id=\"merged-banner\"") && html.contains("取消合并"),
        "{html}"
    );

    // Taken back: listed, found and timed exactly as before.
    let (s, e) = handler
        .post(
            &format!("/api/v1/cases/{second}/unmerge"),
            json!({"version": version(&handler, &second).await}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(clocks(&t, &second).await, before);
    assert!(listed(&handler, &second).await);
    let (_, hits) = handler.get(&search("再次反映")).await;
    assert_eq!(hits["items"][0]["case_id"], second.as_str(), "{hits}");
    let (s, e) = handler
        .post(
            &format!("/api/v1/cases/{second}/unmerge"),
            json!({"version": version(&handler, &second).await}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let audit = t
        .rows(&format!(
            "SELECT action FROM audit_event WHERE target_id = '{second}' AND action LIKE 'case.%merge' AND outcome = 'success' ORDER BY occurred_at"
        ))
        .await;
    assert_eq!(
        audit,
        vec![vec!["case.merge".to_owned()], vec!["case.unmerge".to_owned()]]
    );
    let events = t
        .rows(&format!(
            "SELECT kind FROM case_event WHERE case_id = '{first}' AND kind LIKE '%merged%' ORDER BY at"
        ))
        .await;
    assert_eq!(
        events,
        vec![vec!["merged_from".to_owned()], vec!["unmerged_from".to_owned()]]
    );
}

#[tokio::test]
async fn a_case_records_at_most_a_hundred_parties_and_the_check_never_fails_on_more() {
    let t = TestApp::spawn("dupcap").await;
    let village = t.org_id("620702104201").await;
    let clerk = t.api("demo_reception").await;
    let mut b = body(&village, NARRATIVE, "王建国", "13993652201", "李四");
    b["parties"] = json!((0..150)
        .map(|i| json!({"role": "petitioner", "name": format!("村民{i}"), "phone": format!("1399365{i:04}")}))
        .collect::<Vec<_>>());
    let (s, v) = clerk.post("/api/v1/cases/duplicates", b.clone()).await;
    assert_eq!(s, 200, "{v}");
    let (s, e) = clerk.post("/api/v1/cases", b).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["parties"].as_str().unwrap().contains("100"), "{e}");
}
