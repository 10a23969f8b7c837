//! Issue 12 §2: the 1+4+6 roster at work — a case in a village shows its six and the township's
//! patch owner; a mediator, legal adviser or counsellor is asked to help from that roster first;
//! the patch owner reads the township's open high-risk cases, whichever agency handles them.

use gongzhi_app::domain::roster::HeadKind;
use gongzhi_store::roster::{self, Patch};
use gongzhi_test_support::TestApp;
use serde_json::json;

use crate::statute::dispute;

#[tokio::test]
async fn a_case_in_a_village_asks_its_roster_first_and_names_the_patch_owner() {
    let t = TestApp::spawn("roster_work_helpers").await;
    let grid = t.api("demo_grid").await;
    let centre = t.api("demo_centre").await;
    let place = t.org_id("620702104201").await;
    let id = dispute(&grid, &place, "两户宅基地界址纠纷").await;
    let path = format!("/api/v1/cases/{id}/helpers");

    let (s, p) = centre.get(&path).await;
    assert_eq!(s, 200, "{p}");
    assert!(
        p["patch_owner"].as_str().is_some_and(|o| o.contains("王建国")),
        "乌江镇's patch: {p}"
    );
    assert_eq!(p["helpers"], json!([]));

    // The village's own mediator, in one step: name, organisation and number from the roster.
    let (s, a) = centre
        .post(&path, json!({"slot": "mediator", "from_roster": true}))
        .await;
    assert_eq!(s, 200, "{a}");
    let (s, e) = centre
        .post(&path, json!({"slot": "mediator", "from_roster": true}))
        .await;
    assert_eq!(s, 422, "asked twice: {e}");
    assert!(
        e["fields"]["person_name"].as_str().unwrap().contains("已在协助"),
        "{e}"
    );
    // Someone not on the roster, named; a slot that does not help with cases is refused.
    let (s, e) = centre
        .post(
            &path,
            json!({"slot": "counsellor", "person_name": "", "agency_name": "区妇联"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = centre
        .post(
            &path,
            json!({"slot": "counsellor", "person_name": "李心理老师", "agency_name": "区妇联"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, e) = centre
        .post(&path, json!({"slot": "judge", "from_roster": true}))
        .await;
    assert_eq!(s, 422, "{e}");

    let (_, p) = centre.get(&path).await;
    let helpers = p["helpers"].as_array().unwrap();
    assert_eq!(helpers.len(), 2, "{p}");
    assert_eq!(helpers[0]["slot"], "mediator");
    assert_eq!(helpers[0]["from_roster"], true);
    assert!(helpers[0]["name"].as_str().unwrap().contains("调解员"), "{p}");
    assert!(
        !helpers[0]["phone"].as_str().unwrap().is_empty(),
        "the roster's number comes along"
    );
    assert_eq!(helpers[1]["name"], "李心理老师");
    assert_eq!(helpers[1]["from_roster"], false);

    // Another agency that may not see the case cannot ask anyone either.
    let police = t.api("demo_partner").await;
    let (s, _) = police
        .post(&path, json!({"slot": "mediator", "from_roster": true}))
        .await;
    assert!(s == 404 || s == 403, "{s}");

    // Released, and all of it on the timeline.
    let helper = helpers[1]["id"].as_str().unwrap();
    let (s, _) = centre.post(&format!("{path}/{helper}/release"), json!({})).await;
    assert_eq!(s, 200);
    let (s, _) = centre.post(&format!("{path}/{helper}/release"), json!({})).await;
    assert_eq!(s, 404, "released once");
    assert_eq!(centre.get(&path).await.1["helpers"].as_array().unwrap().len(), 1);
    let (_, c) = centre.get(&format!("/api/v1/cases/{id}")).await;
    let kinds: Vec<&str> = c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"helper-mediator") && kinds.contains(&"helper-released"),
        "{kinds:?}"
    );

    // The case page: the roster, the patch owner, the helpers, and the roster's people offered
    // first in the mediation form.
    let html = t.page_text("demo_centre", &format!("/cases/{id}")).await;
    assert!(
        html.contains("id=\"case-patch\"") && html.contains("王建国"),
        "{html}"
    );
    assert!(html.contains("本案协助人员") && html.contains("id=\"helper-list\""));
    assert!(
        html.contains("请法律顾问"),
        "the roster's legal adviser offered in one click"
    );
    let datalist = html.split("<datalist id=\"mediators\">").nth(1).unwrap();
    assert!(
        datalist
            .split("</datalist>")
            .next()
            .unwrap()
            .find("调解员")
            .unwrap()
            < 80,
        "the mediator comes first: {datalist}"
    );
}

#[tokio::test]
async fn the_patch_owner_reads_the_townships_open_high_risk_cases_and_handles_none() {
    let t = TestApp::spawn("roster_work_patch").await;
    let grid = t.api("demo_grid").await;
    let place = t.org_id("620702104201").await;
    let high = dispute(&grid, &place, "宅基地纠纷多人聚集").await;
    let (s, r) = grid
        .post(
            &format!("/api/v1/cases/{high}/risk"),
            json!({"people": 8, "extreme_words": true, "plan": "约谈双方"}),
        )
        .await;
    assert_eq!((s, r["level"].as_str()), (200, Some("high")), "{r}");
    let low = dispute(&grid, &place, "邻里噪音纠纷").await;

    let head = t.api("demo_police_head").await;
    assert_eq!(
        head.get(&format!("/api/v1/cases/{high}")).await.0,
        404,
        "not the police's patch yet"
    );
    let (_, w) = head.get("/api/v1/patch-watch").await;
    assert!(
        w.as_array().unwrap().iter().all(|p| p["township"] != "乌江镇"),
        "{w}"
    );

    // 乌江镇's patch goes to the police chief.
    let township = t.org_id("620702104000").await;
    let mut conn = t.db.conn().await.unwrap();
    roster::upsert_patch(
        &mut conn,
        &Patch {
            township_id: township.parse().unwrap(),
            head_kind: HeadKind::PoliceChief,
            person_name: "李卫东".into(),
            agency_id: t.agency_id("GZ-GAJ").await.parse().unwrap(),
            agency_name: String::new(),
            version: 0,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    drop(conn);

    let (s, w) = head.get("/api/v1/patch-watch").await;
    assert_eq!(s, 200, "{w}");
    let wujiang = w
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["township"] == "乌江镇")
        .unwrap_or_else(|| panic!("{w}"));
    assert_eq!(wujiang["total"], 1, "only the high-risk one: {wujiang}");
    assert_eq!(wujiang["cases"][0]["id"], high.as_str());
    assert_eq!(wujiang["cases"][0]["owner_agency"], "乌江镇综治中心");
    // Read, not handled; the low-risk case stays out of sight.
    assert_eq!(head.get(&format!("/api/v1/cases/{high}")).await.0, 200);
    assert_eq!(head.get(&format!("/api/v1/cases/{low}")).await.0, 404);
    let (s, _) = head
        .post(
            &format!("/api/v1/cases/{high}/helpers"),
            json!({"slot": "mediator", "from_roster": true}),
        )
        .await;
    assert!(s == 403 || s == 422, "a head does not handle: {s}");
    let html = t.page_text("demo_police_head", "/inbox").await;
    assert!(
        html.contains("包片乡镇的高风险案件") && html.contains("宅基地纠纷多人聚集"),
        "{html}"
    );
    // A partner handler of the same agency is no patch owner.
    assert_eq!(
        t.api("demo_partner").await.get("/api/v1/patch-watch").await.0,
        403
    );
}
