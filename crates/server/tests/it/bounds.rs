//! Scope and bounds: related cases only from what the viewer may see, and never thousands on a
//! page; meetings only on one's own cases with tasks for the agencies taking part; lists paged;
//! imports limited; search that ignores letter case on both databases.
use gongzhi_app::Security;
use gongzhi_app::import::{ImportKind, ImportOutcome};
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use serde_json::{Value, json};

fn case_with(place: &str, id_number: &str, title: &str) -> Value {
    json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
        "title": title, "narrative": "反映执行难。",
        "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
        "parties": [{"role": "petitioner", "name": "王建国", "id_number": id_number, "phone": "13812345678"}]})
}

#[tokio::test]
async fn related_cases_show_only_what_the_viewer_may_see_and_at_most_twenty() {
    let t = TestApp::spawn("related").await;
    let place = t.org_id("620702104201").await;
    let reception = t.api("demo_reception").await;
    let id = "11010519491231002X";
    for i in 0..25 {
        let (s, _) = reception
            .post(
                "/api/v1/cases",
                case_with(&place, id, &format!("检察院内部案件{i:02}")),
            )
            .await;
        assert_eq!(s, 200);
    }
    // A partner handler registers a case with the same identity number: its page shows none of the
    // procuratorate's cases.
    let partner = t.api("demo_partner").await;
    let (s, own) = partner
        .post(
            "/api/v1/cases",
            json!({"kind": "dispute", "channel": "visit", "category": "NEIGHBOUR", "place_id": place,
                "title": "公安受理的纠纷", "narrative": "同一当事人。",
                "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "王建国", "id_number": id, "phone": "13812345678"}]}),
        )
        .await;
    assert_eq!(s, 200, "{own}");
    let police = t.browser("demo_partner", DEMO_PASSWORD).await;
    let page = police
        .get(format!("{}/cases/{}", t.base, own["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("检察院内部案件") && !page.contains("甘州检信"),
        "no other agency's case"
    );
    assert!(!page.contains("id=\"related\""));
    // The chief prosecutor sees the district: twenty of the related cases and a link to all.
    let chief = t.browser("demo_chief", DEMO_PASSWORD).await;
    let page = chief
        .get(format!("{}/cases/{}", t.base, own["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("检察院内部案件").count(), 20);
    assert!(page.contains("id=\"related-more\""));
    let (s, list) = t
        .api("demo_chief")
        .await
        .get("/api/v1/cases?state=all&limit=100&q=检察院内部案件")
        .await;
    assert_eq!(s, 200);
    assert_eq!(list["total"], 25);
    let all = chief
        .get(format!(
            "{}/cases?same_party={}&state=all",
            t.base,
            own["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(all.contains("id=\"same-party\""));
    assert_eq!(all.matches("检察院内部案件").count(), 25);
    // The partner asking for the list of the same party sees only its own agency's cases.
    let theirs = police
        .get(format!(
            "{}/cases?same_party={}&state=all",
            t.base,
            own["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("检察院内部案件"));
}

#[tokio::test]
async fn meetings_are_held_on_ones_own_cases_with_tasks_for_the_agencies_taking_part() {
    let t = TestApp::spawn("meetscope").await;
    let place = t.org_id("620702104201").await;
    let reception = t.api("demo_reception").await;
    let (_, case) = reception
        .post(
            "/api/v1/cases",
            case_with(&place, "11010519491231002X", "检察院的案件"),
        )
        .await;
    let case_id = case["id"].as_str().unwrap().to_owned();
    let centre = t.agency_id("GZ-ZZ10").await;
    let police = t.agency_id("GZ-GAJ").await;
    let (s, r) = reception
        .post(
            &format!("/api/v1/cases/{case_id}/referrals"),
            json!({"to_agency": centre, "note": "请核查", "days": 10}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let centre_api = t.api("demo_centre").await;
    let before = t.snapshot().await;
    // The referred centre may see the case but not convene a meeting on it.
    let (s, e) = centre_api
        .post(
            "/api/v1/meetings",
            json!({"title": "研判会", "held_at": "2026-12-01 10:00", "place": "综治中心", "conclusions": "结论",
                "agencies": [police], "cases": [case_id], "items": []}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["cases"].is_string());
    // The owner may, but not hand a task to an agency that is not there.
    let police_user = t.user_id("demo_partner").await;
    let (s, e) = reception
        .post(
            "/api/v1/meetings",
            json!({"title": "研判会", "held_at": "2026-12-01 10:00", "place": "检察院", "conclusions": "结论",
                "agencies": [centre], "cases": [case_id],
                "items": [{"title": "调查", "owner": police_user, "due": "2026-12-31"}]}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["tasks[0].owner"]
            .as_str()
            .unwrap()
            .contains("参与单位"),
        "{e}"
    );
    assert_eq!(t.snapshot().await, before, "refused meetings write nothing");
    let (s, e) = reception
        .post(
            "/api/v1/meetings",
            json!({"title": "研判会", "held_at": "2026-12-01 10:00", "place": "检察院", "conclusions": "结论",
                "agencies": [police], "cases": [case_id],
                "items": [{"title": "调查", "owner": police_user, "due": "2026-12-31"}]}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
}

#[tokio::test]
async fn the_inbox_is_paged_and_says_how_much_there_is() {
    let t = TestApp::spawn("inboxpage").await;
    let place = t.org_id("620702104201").await;
    let reception = t.api("demo_reception").await;
    for i in 0..60 {
        reception
            .post(
                "/api/v1/cases",
                case_with(&place, "11010519491231002X", &format!("待办{i}")),
            )
            .await;
    }
    let (_, first) = reception.get("/api/v1/inbox").await;
    assert!(
        first["clocks_total"].as_i64().unwrap() >= 60,
        "{}",
        first["clocks_total"]
    );
    assert_eq!(first["clocks"].as_array().unwrap().len(), 50);
    assert_eq!(first["more"], true);
    let (_, second) = reception.get("/api/v1/inbox?page=2").await;
    assert!(!second["clocks"].as_array().unwrap().is_empty());
    assert_ne!(first["clocks"][0], second["clocks"][0]);
    let page = t
        .browser("demo_reception", DEMO_PASSWORD)
        .await
        .get(format!("{}/inbox", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"inbox-more\""));
}

#[tokio::test]
async fn imports_have_row_limits_a_category_ceiling_checked_cells_and_coordinates() {
    let t = TestApp::spawn_with(
        "importlimits",
        Security {
            admin_totp_required: false,
            ..Security::default()
        },
    )
    .await;
    let ctx = t.ctx("demo_sysadmin").await;
    let mut csv = String::from("code,name,name_en,sort_order\n");
    for i in 0..201 {
        csv.push_str(&format!("K{i:03},类别{i},kind {i},{i}\n"));
    }
    let before = t.snapshot().await;
    match t
        .app
        .import_csv(&ctx, ImportKind::Categories, csv.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Rejected(rows) => assert_eq!(rows[0].errors[0].key, "import-too-many"),
        other => panic!("{other:?}"),
    }
    let mut csv = String::from("code,name,name_en,sort_order\n");
    for i in 0..190 {
        csv.push_str(&format!("K{i:03},类别{i},kind {i},{i}\n"));
    }
    match t
        .app
        .import_csv(&ctx, ImportKind::Categories, csv.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Rejected(rows) => assert_eq!(rows[0].errors[0].key, "import-too-many-total"),
        other => panic!("{other:?}"),
    }
    assert_eq!(t.snapshot().await, before, "nothing written");
    let ok =
        "code,name,lat,lng\n620702104205,演示·新村,39.0712,100.3811\n620702104201,演示·乌江村,39.05,100.4\n";
    match t
        .app
        .import_csv(&ctx, ImportKind::OrgUnits, ok.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Imported { created, updated } => assert_eq!((created, updated), (1, 1)),
        other => panic!("{other:?}"),
    }
    let rows = t
        .rows("SELECT lat_e6, lng_e6 FROM org_unit WHERE code = '620702104205'")
        .await;
    assert_eq!(rows[0], vec!["39071200", "100381100"]);
    // An existing unit's name is held to the same rule as a new one's.
    let blank = "code,name\n620702104201,\n";
    match t
        .app
        .import_csv(&ctx, ImportKind::OrgUnits, blank.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Rejected(rows) => assert_eq!(rows[0].errors[0].key, "name-invalid"),
        other => panic!("{other:?}"),
    }
    let bad = "code,name,lat,lng\n620702104206,某村,91,100\n620702104207,某村,39.1,\n";
    match t
        .app
        .import_csv(&ctx, ImportKind::OrgUnits, bad.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Rejected(rows) => {
            assert_eq!(rows[0].errors[0].key, "coordinate-invalid");
            assert_eq!(rows[1].errors[0].key, "coordinate-pair");
        }
        other => panic!("{other:?}"),
    }
    // A file is not a form field, so the edge does not read it: the import checks each cell.
    let admin = t
        .browser("demo_sysadmin", gongzhi_test_support::DEMO_PASSWORD)
        .await;
    let before = t.snapshot().await;
    let form = reqwest::multipart::Form::new().text("kind", "categories").part(
        "file",
        reqwest::multipart::Part::bytes(
            b"code,name,name_en,sort_order\nK900,\xe7\xb1\xbb\x00,kind,1\n".to_vec(),
        )
        .file_name("categories.csv"),
    );
    let res = admin
        .post(format!("{}/admin/import", t.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("U+0000") && body.contains("第 2 行 name 列"),
        "the row and the character"
    );
    assert_eq!(t.snapshot().await, before, "nothing written");
}

#[tokio::test]
async fn search_ignores_letter_case_on_both_databases() {
    let t = TestApp::spawn("searchcase").await;
    let place = t.org_id("620702104201").await;
    let reception = t.api("demo_reception").await;
    reception
        .post(
            "/api/v1/cases",
            case_with(&place, "11010519491231002X", "WeChat 群里被诈骗"),
        )
        .await;
    for q in ["wechat", "WECHAT", "WeChat"] {
        let (s, list) = reception.get(&format!("/api/v1/cases?q={q}&state=all")).await;
        assert_eq!(s, 200);
        assert_eq!(list["total"], 1, "{q}");
    }
}

/// The case list filtered by a township shows the cases of its villages and no others.
#[tokio::test]
async fn the_case_list_by_township_shows_the_cases_of_its_villages_only() {
    let t = TestApp::spawn("bytownship").await;
    let reception = t.api("demo_reception").await;
    let other = t
        .rows("SELECT id FROM org_unit WHERE level = 'village' AND code NOT LIKE '620702104%' AND code LIKE '620702%' LIMIT 1")
        .await[0][0]
        .clone();
    for (place, title) in [
        (t.org_id("620702104201").await, "乌江镇的邻里纠纷"),
        (other, "别镇的邻里纠纷"),
    ] {
        let (s, c) = reception
            .post(
                "/api/v1/cases",
                json!({"kind": "dispute", "channel": "visit", "category": "NEIGHBOUR", "place_id": place,
                    "title": title, "narrative": "宅基地边界争议。",
                    "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
                    "parties": [{"role": "petitioner", "name": "赵某", "phone": "13812345678"}]}),
            )
            .await;
        assert_eq!(s, 200, "{c}");
    }
    let township = t.org_id("620702104000").await;
    let chief = t.browser("demo_chief", DEMO_PASSWORD).await;
    let page = chief
        .get(format!("{}/cases?township={township}", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("乌江镇的邻里纠纷"), "the township's own case");
    assert!(!page.contains("别镇的邻里纠纷"), "no case of another township");
}
