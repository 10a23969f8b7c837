//! Issue 12 §1 and §6: prosecutors into the grid — a visit logged in the village whose dispute
//! reaches the township's governance centre in one step, clues for the teams, a log sent twice
//! stored once, an offline edit that meets someone else's change merged field by field or shown
//! for review, assignments and coverage, and who may do which.

use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

fn now() -> String {
    time::format_local(chrono::Utc::now())
}

async fn log(api: &Api, path: &str, key: &str, body: Value) -> (u16, Value) {
    let r = api
        .c
        .post(format!("{}{path}", api.base))
        .bearer_auth(&api.token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// A 1×1 PNG.
const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

#[tokio::test]
async fn a_visit_logged_in_the_village_routes_its_findings_in_one_step_and_once() {
    let t = TestApp::spawn("grid_visit_route").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let village = t.org_id("620702104201").await;
    let body = json!({
        "village_id": village, "visited_at": now(), "place": "村委会", "people_met": "村支书、调解员",
        "checklist": ["land_water", "left_behind_children", "nonsense"],
        "findings": [{"kind": "dispute", "summary": "王某与李某灌溉用水纠纷", "category": "IRRIGATION_WATER",
            "person_name": "王某", "person_phone": "13912345678"}],
    });
    // A checklist item not on the list is refused, and nothing is stored.
    let (s, e) = log(&prosecutor, "/api/v1/grid/visits", "k-0", body.clone()).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["checklist"].as_str().unwrap().contains("清单"), "{e}");
    assert_eq!(prosecutor.get("/api/v1/grid/visits").await.1["total"], 0);

    let mut body = body;
    body["checklist"] = json!(["land_water", "left_behind_children"]);
    body["findings"]
        .as_array_mut()
        .unwrap()
        .push(json!({"kind": "public_interest", "summary": "村口河道堆放垃圾"}));
    body["photos"] = json!([{"filename": "现场.png", "data": PNG}]);
    let (s, first) = log(&prosecutor, "/api/v1/grid/visits", "k-1", body.clone()).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["repeated"], false);
    let cases = first["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1, "the dispute became a case, the clue did not");
    let case_id = cases[0][0].as_str().unwrap().to_owned();

    // Sent again after a flaky network: the same answer, stored once.
    let (s, again) = log(&prosecutor, "/api/v1/grid/visits", "k-1", body.clone()).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["repeated"], true);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["cases"], first["cases"]);
    let (_, list) = prosecutor.get("/api/v1/grid/visits").await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(t.rows("SELECT COUNT(*) FROM grid_finding").await[0][0], "2");
    assert_eq!(t.rows("SELECT COUNT(*) FROM grid_visit_photo").await[0][0], "1");

    let id = first["id"].as_str().unwrap();
    let (s, v) = prosecutor.get(&format!("/api/v1/grid/visits/{id}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "routed");
    assert_eq!(v["checklist"], json!(["land_water", "left_behind_children"]));
    assert_eq!(v["findings"][0]["case_id"], case_id.as_str());
    assert_eq!(v["findings"][1]["team"], "draft_suggestion");
    assert_eq!(v["findings"][1]["clue_state"], "open");
    let photo = v["photos"][0]["url"].as_str().unwrap().to_owned();

    // The dispute is the procuratorate's case, handed to 乌江镇's governance centre for the
    // 7-day feedback (DOMAIN.md §3.2), and waits in its inbox.
    let (_, c) = prosecutor.get(&format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(c["case"]["channel"], "grid_screening", "{c}");
    assert_eq!(c["referrals"][0]["to"], "乌江镇综治中心", "{c}");
    assert_eq!(c["referrals"][0]["due"], c["clocks"][1]["due"], "{c}");
    let centre = t.api("demo_centre").await;
    let (_, inbox) = centre.get("/api/v1/inbox").await;
    assert!(
        inbox["referrals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["case_id"] == case_id.as_str()),
        "{inbox}"
    );

    // The clue waits for the suggestions team: taken up, then closed with what came of it.
    let (_, clues) = prosecutor.get("/api/v1/grid/clues").await;
    assert_eq!(clues["total"], 1, "{clues}");
    let clue = clues["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, _) = t
        .api("demo_juvenile")
        .await
        .post(
            &format!("/api/v1/grid/clues/{clue}"),
            json!({"version": 1, "action": "take"}),
        )
        .await;
    assert_eq!(s, 403, "the juvenile team does not take a public-interest clue");
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/grid/clues/{clue}"),
            json!({"version": 1, "action": "close"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/grid/clues/{clue}"),
            json!({"version": 1, "action": "take"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, _) = prosecutor
        .post(
            &format!("/api/v1/grid/clues/{clue}"),
            json!({"version": 1, "action": "close", "outcome": "x"}),
        )
        .await;
    assert_eq!(s, 409, "a stale version is refused");
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/grid/clues/{clue}"),
            json!({"version": 2, "action": "close", "outcome": "已立案办理公益诉讼"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(prosecutor.get("/api/v1/grid/clues").await.1["total"], 0);

    // The photo is served to whoever may see the visit, and to no one else.
    let browser = t
        .browser("demo_prosecutor", gongzhi_test_support::DEMO_PASSWORD)
        .await;
    let r = browser.get(format!("{}{photo}", t.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    let r = t.client().get(format!("{}{photo}", t.base)).send().await.unwrap();
    assert_ne!(r.status(), 200, "not without signing in");
    // The visit's page shows what was found, where it went, and the photo.
    let html = t
        .page_text("demo_prosecutor", &format!("/grid/visits/{id}"))
        .await;
    assert!(
        html.contains("王某与李某灌溉用水纠纷") && html.contains("已登记为案件") && html.contains(&photo),
        "{html}"
    );
    assert!(html.contains("留守儿童") && html.contains("已立案办理公益诉讼"));
}

#[tokio::test]
async fn an_offline_edit_merges_field_by_field_and_a_clash_is_answered_for_review() {
    let t = TestApp::spawn("grid_visit_merge").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let chief = t.api("demo_chief").await;
    let village = t.org_id("620702104202").await;
    let today = time::local_date(chrono::Utc::now()).to_string();
    let me = t.user_id("demo_prosecutor").await;
    let (s, p) = chief
        .post(
            "/api/v1/grid/visits/plan",
            json!({"village_id": village, "day": today, "visitor_id": me, "place": "村委会"}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let visit = p["id"].as_str().unwrap().to_owned();
    // What the phone saw before going offline.
    let (_, seen) = prosecutor.get(&format!("/api/v1/grid/visits/{visit}")).await;
    let base =
        json!({"visited_at": "", "place": seen["place"], "people_met": "", "checklist": "", "notes": ""});

    // Meanwhile the head moves the meeting place.
    let (s, v) = chief
        .post(
            &format!("/api/v1/grid/visits/{visit}"),
            json!({"version": 1, "day": today, "place": "村文化广场", "notes": ""}),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    // The phone's log did not touch the place: the head's place is kept, the log's notes added.
    let path = format!("/api/v1/grid/visits/{visit}/log");
    let (s, merged) = log(
        &prosecutor,
        &path,
        "m-1",
        json!({"visited_at": now(), "place": "村委会", "notes": "走访 6 户",
        "version": 1, "base": base}),
    )
    .await;
    assert_eq!(s, 200, "{merged}");
    assert_eq!(merged["merged"], json!(["place"]), "{merged}");
    let (_, v) = prosecutor.get(&format!("/api/v1/grid/visits/{visit}")).await;
    assert_eq!(
        (v["place"].as_str(), v["notes"].as_str()),
        (Some("村文化广场"), Some("走访 6 户"))
    );
    let version = v["version"].as_i64().unwrap();

    // A second phone, offline since before that log, changed the notes too: a clash, answered
    // with both sides and nothing written.
    let (s, clash) = log(
        &prosecutor,
        &path,
        "m-2",
        json!({"visited_at": now(), "place": "村委会", "notes": "走访 8 户",
        "version": 1, "base": base}),
    )
    .await;
    assert_eq!(s, 409, "{clash}");
    let fields: Vec<&str> = clash["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"notes"), "{clash}");
    let notes = clash["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "notes")
        .unwrap();
    assert_eq!(
        (notes["mine"].as_str(), notes["theirs"].as_str()),
        (Some("走访 8 户"), Some("走访 6 户"))
    );
    assert_eq!(clash["version"], version);
    assert_eq!(
        prosecutor.get(&format!("/api/v1/grid/visits/{visit}")).await.1["notes"],
        "走访 6 户"
    );

    // Reviewed and sent again against what is saved now: written as chosen.
    let mut current = clash["current"].clone();
    let (s, done) = log(
        &prosecutor,
        &path,
        "m-2",
        json!({"visited_at": current["visited_at"], "place": current["place"],
        "notes": "走访 8 户（复核）", "version": version, "base": current.take()}),
    )
    .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(
        prosecutor.get(&format!("/api/v1/grid/visits/{visit}")).await.1["notes"],
        "走访 8 户（复核）"
    );

    // Only its visitor logs a visit; a logged visit's plan no longer moves.
    let (s, e) = log(&chief, &path, "c-1", json!({"visited_at": now(), "version": 3})).await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = chief
        .post(
            &format!("/api/v1/grid/visits/{visit}"),
            json!({"version": 4, "day": today}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
}

#[tokio::test]
async fn assignments_give_each_person_a_plan_and_coverage_shows_what_was_missed() {
    let t = TestApp::spawn("grid_visit_cover").await;
    let chief = t.api("demo_chief").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let village = t.org_id("620702104203").await;
    let me = t.user_id("demo_prosecutor").await;
    let (s, a) = chief
        .post(
            "/api/v1/grid/assignments",
            json!({"user_id": me, "village_id": village, "slot": "prosecutor", "rhythm": "monthly"}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    let (s, e) = chief
        .post(
            "/api/v1/grid/assignments",
            json!({"user_id": me, "village_id": village, "slot": "judge", "rhythm": "monthly"}),
        )
        .await;
    assert_eq!(s, 422, "a procuratorate cannot fill the judge's slot: {e}");
    let (s, e) = chief
        .post(
            "/api/v1/grid/assignments",
            json!({"user_id": me, "village_id": village, "rhythm": "yearly"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");

    let (_, plan) = prosecutor.get("/api/v1/grid/plan").await;
    let item = plan
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["village_id"] == village.as_str())
        .unwrap_or_else(|| panic!("{plan}"));
    assert_eq!(item["last_visit"], Value::Null, "{item}");

    let today = time::local_date(chrono::Utc::now()).to_string();
    let cover = |c: &Value| {
        c["townships"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["villages"].as_array().unwrap().clone())
            .find(|v| v["id"] == village.as_str())
            .unwrap()
    };
    let (s, before) = chief
        .get(&format!("/api/v1/grid/coverage?from={today}&to={today}"))
        .await;
    assert_eq!(s, 200, "{before}");
    assert_eq!(cover(&before)["visits"], 0);
    assert!(
        cover(&before)["assigned"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().contains("刘检察官")),
        "{before}"
    );

    let (s, _) = log(
        &prosecutor,
        "/api/v1/grid/visits",
        "c-1",
        json!({"village_id": village, "visited_at": now()}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, after) = chief
        .get(&format!("/api/v1/grid/coverage?from={today}&to={today}"))
        .await;
    assert_eq!(cover(&after)["visits"], 1);
    assert_eq!(
        after["unvisited"].as_i64().unwrap(),
        before["unvisited"].as_i64().unwrap() - 1
    );
    let (_, plan) = prosecutor.get("/api/v1/grid/plan").await;
    let item = plan
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["village_id"] == village.as_str())
        .unwrap();
    assert_eq!(item["last_visit"], today.as_str());
    let (s, e) = chief
        .get(&format!("/api/v1/grid/coverage?from={today}&to=2000-01-01"))
        .await;
    assert_eq!(s, 422, "{e}");

    // The coverage page and the assignment page in Chinese.
    let html = t.page_text("demo_chief", "/grid/coverage").await;
    assert!(html.contains("未走访") && html.contains("空缺岗位"), "{html}");
    let html = t.page_text("demo_chief", "/grid/assignments").await;
    assert!(
        html.contains("刘检察官") && html.contains("每月") && html.contains("结束驻村"),
        "{html}"
    );
}

#[tokio::test]
async fn who_may_see_log_and_plan_grid_visits() {
    let t = TestApp::spawn("grid_visit_who").await;
    let village = t.org_id("620702104201").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let (s, v) = log(
        &prosecutor,
        "/api/v1/grid/visits",
        "w-1",
        json!({"village_id": village, "visited_at": now(),
        "findings": [{"kind": "minor", "summary": "留守儿童无人照看"}]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();

    // Not signed in: refused, whatever the door.
    let anon = t.client();
    for path in [
        "/api/v1/grid/visits",
        "/api/v1/grid/clues",
        "/api/v1/grid/coverage",
        &format!("/api/v1/grid/visits/{id}"),
    ] {
        let r = anon.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
    }
    let r = anon
        .post(format!("{}/api/v1/grid/visits", t.base))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = anon.get(format!("{}/grid/log", t.base)).send().await.unwrap();
    let to = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    assert!(
        r.status().is_redirection() && to.starts_with("/login"),
        "{} {to}",
        r.status()
    );
    // The service worker and the manifest hold no data and load without a session.
    let r = anon.get(format!("{}/grid/sw.js", t.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("caches"));
    let r = anon
        .get(format!("{}/grid/manifest.webmanifest", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // The leader sees visits (statistics) but neither logs nor plans.
    let leader = t.api("demo_leader").await;
    assert_eq!(leader.get("/api/v1/grid/visits").await.0, 200);
    let (s, _) = log(
        &leader,
        "/api/v1/grid/visits",
        "l-1",
        json!({"village_id": village, "visited_at": now()}),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = leader
        .post(
            "/api/v1/grid/assignments",
            json!({"user_id": "x", "village_id": village, "rhythm": "monthly"}),
        )
        .await;
    assert_eq!(s, 403);
    // A partner agency sees its own visits only: not the procuratorate's.
    let partner = t.api("demo_partner").await;
    let (s, l) = partner.get("/api/v1/grid/visits").await;
    assert_eq!((s, l["total"].as_i64()), (200, Some(0)), "{l}");
    assert_eq!(partner.get(&format!("/api/v1/grid/visits/{id}")).await.0, 404);
    // The minor clue goes to the juvenile team only.
    let juvenile = t.api("demo_juvenile").await;
    let (_, clues) = juvenile.get("/api/v1/grid/clues").await;
    assert_eq!(clues["total"], 1, "{clues}");
    assert_eq!(prosecutor.get("/api/v1/grid/clues").await.1["total"], 0);
    // Outside the juvenile team the visit says a minor's clue was found, and nothing of it.
    let (_, v) = prosecutor.get(&format!("/api/v1/grid/visits/{id}")).await;
    assert_eq!(
        (
            v["findings"][0]["redacted"].as_bool(),
            v["findings"][0]["summary"].as_str()
        ),
        (Some(true), Some("")),
        "{v}"
    );
    let (_, v) = juvenile.get(&format!("/api/v1/grid/visits/{id}")).await;
    assert_eq!(v["findings"][0]["summary"], "留守儿童无人照看", "{v}");
    let html = t
        .page_text("demo_prosecutor", &format!("/grid/visits/{id}"))
        .await;
    assert!(
        html.contains("仅未检部门可见") && !html.contains("留守儿童无人照看"),
        "{html}"
    );
    // Planning a visit for a colleague is a head's.
    let me = t.user_id("demo_assistant").await;
    let today = time::local_date(chrono::Utc::now()).to_string();
    let (s, e) = prosecutor
        .post(
            "/api/v1/grid/visits/plan",
            json!({"village_id": village, "day": today, "visitor_id": me}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    // The juvenile team's inbox lists it.
    let html = t.page_text("demo_juvenile", "/inbox").await;
    assert!(
        html.contains("待办的走访线索") && html.contains("留守儿童无人照看"),
        "{html}"
    );
}

/// The grid's store on this database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`): one
/// assignment per person and village, versions and keys that refuse a second writer, photos kept
/// byte for byte, coverage counting logged visits only, clues by team.
#[tokio::test]
async fn the_grid_store_keeps_its_promises_on_this_database() {
    use gongzhi_app::domain::Id;
    use gongzhi_store::StoreError;
    use gongzhi_store::grid::{self as store, AssignmentRow, FindingRow, PhotoMeta, VisitRow};
    let t = TestApp::spawn("grid_store").await;
    let village = t.org_id("620702104201").await;
    let township = t.org_id("620702104000").await;
    let user = t.user_id("demo_prosecutor").await;
    let agency = t.agency_id("GZ-JCY").await;
    let mut tx = t.db.begin().await.unwrap();
    let a = AssignmentRow {
        id: Id::new().to_string(),
        user_id: user.clone(),
        agency_id: agency.clone(),
        village_id: village.clone(),
        township_id: township.clone(),
        slot: "prosecutor".into(),
        rhythm: "monthly".into(),
        assigned_on: "2026-01-05".into(),
        version: 1,
        ..AssignmentRow::default()
    };
    store::insert_assignment(tx.conn(), &a).await.unwrap();
    tx.commit().await.unwrap();
    // (A refused write ends a PostgreSQL transaction: each refusal runs on its own.)
    let mut conn = t.db.conn().await.unwrap();
    let again = AssignmentRow {
        id: Id::new().to_string(),
        ..a.clone()
    };
    assert!(matches!(
        store::insert_assignment(&mut conn, &again).await,
        Err(StoreError::Duplicate(_))
    ));
    drop(conn);

    let mut tx = t.db.begin().await.unwrap();
    let visit = |day: &str, state: &str| VisitRow {
        id: Id::new().to_string(),
        agency_id: agency.clone(),
        village_id: village.clone(),
        township_id: township.clone(),
        visitor_id: user.clone(),
        visitor_name: "刘检察官".into(),
        state: state.into(),
        day: day.into(),
        version: 1,
        ..VisitRow::default()
    };
    let v1 = visit("2026-11-03", "visited");
    let v2 = visit("2026-11-20", "routed");
    for v in [
        &v1,
        &v2,
        &visit("2026-11-25", "planned"),
        &visit("2026-11-26", "cancelled"),
    ] {
        store::insert_visit(tx.conn(), v).await.unwrap();
    }
    let png: Vec<u8> = (0..=255u8).chain([0, 0, 0xff]).collect();
    let meta = PhotoMeta {
        id: Id::new().to_string(),
        visit_id: v1.id.clone(),
        filename: "现场.png".into(),
        mime: "image/png".into(),
        size: png.len() as i64,
        sm3: "x".into(),
        uploaded_at: 1,
    };
    store::insert_photo(tx.conn(), &meta, &png).await.unwrap();
    for (kind, team, state) in [
        ("judicial_aid", "handle_aid", "open"),
        ("minor", "manage_minors", "open"),
        ("supervision", "draft_suggestion", "closed"),
    ] {
        let f = FindingRow {
            id: Id::new().to_string(),
            visit_id: v2.id.clone(),
            seq: i64::from(kind.len() as u8),
            kind: kind.into(),
            summary: kind.into(),
            team: team.into(),
            clue_state: Some(state.into()),
            version: 1,
            ..FindingRow::default()
        };
        store::insert_finding(tx.conn(), &f).await.unwrap();
    }
    store::remember_key(tx.conn(), &user, "key-1", &v1.id, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut conn = t.db.conn().await.unwrap();
    assert!(matches!(
        store::remember_key(&mut conn, &user, "key-1", &v2.id, 2).await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        store::visit_of_key(&mut conn, &user, "key-1")
            .await
            .unwrap()
            .as_deref(),
        Some(v1.id.as_str())
    );
    assert_eq!(
        store::visit_of_key(&mut conn, "someone-else", "key-1")
            .await
            .unwrap(),
        None
    );
    let (back, data) = store::photo_data(&mut conn, meta.id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((back, data), (meta, png));
    let seen = store::visited_villages(&mut conn, None, "2026-11-01", "2026-11-30")
        .await
        .unwrap();
    assert_eq!(
        seen,
        vec![(village.clone(), "2026-11-20".to_owned(), 2)],
        "planned and cancelled visits do not count"
    );
    let aid = store::clues(
        &mut conn,
        &["handle_aid", "draft_suggestion"],
        None,
        gongzhi_app::Page::first(10),
    )
    .await
    .unwrap();
    assert_eq!(aid.total, 1, "the closed supervision clue is not waiting");
    assert_eq!(aid.items[0].row.kind, "judicial_aid");
    assert_eq!(aid.items[0].village_name, "演示·乌江村");

    let mut stale = v1.clone();
    stale.notes = "后改".into();
    assert!(store::save_visit(&mut conn, &stale, 1).await.is_ok());
    assert!(
        matches!(
            store::save_visit(&mut conn, &stale, 1).await,
            Err(StoreError::Conflict)
        ),
        "version 1 is gone"
    );
}

/// Issue 12 §1/§3: a grid visit's minor clue becomes a mandatory report; filing it closes the clue
/// and takes what it said about the child out of the plain grid table.
#[tokio::test]
async fn a_minor_clue_is_filed_as_a_mandatory_report_and_leaves_nothing_in_the_grid() {
    let t = TestApp::spawn("grid_minor_report").await;
    let village = t.org_id("620702104201").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let (s, v) = log(
        &prosecutor,
        "/api/v1/grid/visits",
        "m-1",
        json!({"village_id": village, "visited_at": now(),
        "findings": [{"kind": "minor", "summary": "留守儿童长期无人照看", "details": "祖母卧病，孩子独自在家"}]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let finding = t.rows("SELECT id FROM grid_finding WHERE kind = 'minor'").await[0][0].clone();
    // The form is filled from the clue, for the juvenile team only.
    let html = t
        .page_text("demo_juvenile", &format!("/minors/new?finding={finding}"))
        .await;
    assert!(
        html.contains("祖母卧病") && html.contains(&finding) && html.contains("网格走访"),
        "{html}"
    );
    let page = t
        .browser("demo_prosecutor", gongzhi_test_support::DEMO_PASSWORD)
        .await
        .get(format!("{}/minors/new?finding={finding}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 403);
    let juvenile = t.api("demo_juvenile").await;
    let report = json!({"reporter_kind": "grid_visit", "reporter": {"organisation": "网格走访（乌江镇）", "person": "刘检察官"},
        "received_at": now(), "harm_kind": "abandonment", "guardian_situation": "left_behind", "village_id": village,
        "child": {"name": "孙小军", "what": "留守儿童长期无人照看"}, "finding_id": finding});
    let (s, r) = juvenile.post("/api/v1/minors", report.clone()).await;
    assert_eq!(s, 200, "{r}");
    let row = t
        .rows(&format!(
            "SELECT clue_state, summary, details FROM grid_finding WHERE id = '{finding}'"
        ))
        .await;
    assert_eq!(row[0][0], "closed");
    assert!(!row[0][1].contains("无人照看") && row[0][2].is_empty(), "{row:?}");
    let linked = t
        .rows(&format!(
            "SELECT COUNT(*) FROM minor_report WHERE finding_id = '{finding}'"
        ))
        .await;
    assert_eq!(linked[0][0], "1");
    // A closed clue is filed once.
    let (s, e) = juvenile.post("/api/v1/minors", report).await;
    assert_eq!(s, 422, "{e}");
    assert!(e.to_string().contains("finding_id"), "{e}");
}
