//! Issue 13 §3 and §6: the dashboard — every figure opens a list showing the same number, the
//! figures follow the viewer's scope (the district for the leader, the own agency for a head),
//! the village heat marks where cases gather, and bad input is answered. SQLite and PostgreSQL.

use gongzhi_app::domain::time;
use gongzhi_test_support::TestApp;
use serde_json::{Value, json};

fn case(village: &str, category: &str, title: &str) -> Value {
    json!({"kind": "dispute", "channel": "grid_screening", "category": category, "place_id": village,
        "title": title, "narrative": "村民反映邻里之间因排水沟堵塞发生争执，要求村里协调。",
        "received_at": time::format_local(chrono::Utc::now()),
        "parties": [{"role": "petitioner", "name": "王五"}]})
}

/// The (value, href) of every figure on a page that links to the case list.
fn case_links(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("href=\"/cases?") {
        rest = &rest[i + 6..];
        let end = rest.find('"').unwrap();
        let href = rest[..end].replace("&#38;", "&").replace("&amp;", "&");
        let after = &rest[end..];
        let value = after[after.find('>').unwrap() + 1..after.find("</a>").unwrap()]
            .trim()
            .to_owned();
        out.push((value, href));
    }
    out
}

/// The count in the case list's heading.
fn list_total(html: &str) -> String {
    let h1 = &html[html.find("<h1").unwrap()..];
    let open = "<small class=\"text-secondary\">";
    let small = &h1[h1.find(open).unwrap() + open.len()..];
    small[..small.find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn every_figure_opens_the_list_of_what_it_counts() {
    let t = TestApp::spawn("dash_links").await;
    // Demo cases over the past three years: open and closed, overdue, assessed, referred.
    t.app.seed_demo_cases(&t.system_ctx(), 400).await.unwrap();
    let village = t.org_id("620702104201").await;
    let grid = t.api("demo_grid").await;
    // Three this month in one village where there were none before: a gathering.
    for title in ["排水沟堵塞", "排水沟又堵", "排水沟漫水"] {
        let (s, v) = grid
            .post("/api/v1/cases", case(&village, "NEIGHBOUR", title))
            .await;
        assert_eq!(s, 200, "{v}");
    }
    let leader = t
        .browser("demo_leader", gongzhi_test_support::DEMO_PASSWORD)
        .await;
    // The leader's home page is the dashboard.
    let home = leader
        .get(format!("{}/", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("id=\"dash-kpis\""),
        "the leader's home is the dashboard"
    );
    let links = case_links(&home);
    assert!(links.len() >= 10, "figures with lists: {links:?}");
    let mut nonzero = 0;
    for (value, href) in &links {
        // A rate opens the replies due in the month; it is a share, not their count.
        if value.parse::<i64>().is_err() {
            assert!(value.ends_with('%') || value == "—", "{value} {href}");
            continue;
        }
        let list = leader
            .get(format!("{}{href}", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!list.contains("id=\"narrow-invalid\""), "{href}");
        assert_eq!(&list_total(&list), value, "{href} shows what the figure counts");
        if value != "0" {
            nonzero += 1;
        }
    }
    assert!(nonzero >= 5, "figures that count something: {nonzero}");

    // The village heat: this village is red, and its row opens its own cases.
    let api = t.api("demo_leader").await;
    let (s, d) = api.get("/api/v1/dashboard").await;
    assert_eq!(s, 200, "{d}");
    let row = d["heat"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["village_id"] == village.as_str())
        .unwrap_or_else(|| panic!("{}", d["heat"]));
    assert!(row["now"].as_i64().unwrap() >= 3, "{row}");
    if row["before"].as_i64().unwrap() * 2 <= row["now"].as_i64().unwrap() * 3 {
        assert_eq!(row["heat"], "red", "{row}");
    }
    assert_eq!(d["district"], true);
    let received: i64 = d["trend"].as_array().unwrap().last().unwrap()["n"]
        .as_i64()
        .unwrap();
    assert_eq!(
        received,
        d["received"].as_i64().unwrap(),
        "this month in the trend is this month"
    );
}

#[tokio::test]
async fn a_head_sees_the_own_agency_only_and_others_not_at_all() {
    let t = TestApp::spawn("dash_scope").await;
    let village = t.org_id("620702104201").await;
    let police = t.api("demo_partner").await;
    let (s, v) = police
        .post(
            "/api/v1/cases",
            case(&village, "NEIGHBOUR", "派出所受理的邻里纠纷"),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = t
        .api("demo_reception")
        .await
        .post(
            "/api/v1/cases",
            case(&village, "NEIGHBOUR", "检察院受理的邻里纠纷"),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let head = t.api("demo_police_head").await;
    let (s, mine) = head.get("/api/v1/dashboard").await;
    assert_eq!(s, 200, "{mine}");
    assert_eq!(mine["district"], false);
    assert!(
        mine["hearings"].is_null() && mine["aid"].is_null(),
        "the procuratorate's work is not a police head's"
    );
    let police_id = t.agency_id("GZ-GAJ").await;
    let month = &mine["month"].as_str().unwrap().to_owned();
    let from = time::start_of_local_day(format!("{month}-01").parse().unwrap()).timestamp_millis();
    // Owned by the police or referred to it (and not taken back), received this month, as the list counts.
    let expected = t
        .rows(&format!(
            "SELECT COUNT(*) FROM dispute_case c WHERE c.merged_into IS NULL AND c.received_at >= {from}
             AND (c.owner_agency_id = '{police_id}' OR c.id IN (SELECT case_id FROM referral WHERE to_agency_id = '{police_id}' AND state <> 'revoked'))"
        ))
        .await;
    assert_eq!(
        mine["received"].to_string(),
        expected[0][0],
        "the head's own agency"
    );
    let (_, all) = t.api("demo_leader").await.get("/api/v1/dashboard").await;
    assert!(
        all["received"].as_i64() > mine["received"].as_i64(),
        "the district is more: {} vs {}",
        all["received"],
        mine["received"]
    );
    // The agency head's home page is the dashboard, titled with the agency.
    let home = t.page_text("demo_police_head", "/").await;
    assert!(home.contains("id=\"dash-scope\""));

    // Who may not see statistics gets none, signed in or not.
    for who in ["demo_grid", "demo_reception", "demo_partner"] {
        let (s, v) = t.api(who).await.get("/api/v1/dashboard").await;
        assert_eq!(s, 403, "{who}: {v}");
        let res = t
            .browser(who, gongzhi_test_support::DEMO_PASSWORD)
            .await
            .get(format!("{}/dashboard", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{who}");
    }
    let res = t
        .client()
        .get(format!("{}/api/v1/dashboard", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = t
        .client()
        .get(format!("{}/dashboard", t.base))
        .send()
        .await
        .unwrap();
    assert!(res.status() == 303 || res.status() == 401, "{}", res.status());
}

#[tokio::test]
async fn a_month_or_township_not_understood_is_answered() {
    let t = TestApp::spawn("dash_bad").await;
    let api = t.api("demo_leader").await;
    for q in [
        "month=2026-13",
        "month=abc",
        "month=2026-1",
        "month=%27%20OR%201%3D1",
        "township=nope",
    ] {
        let (s, v) = api.get(&format!("/api/v1/dashboard?{q}")).await;
        assert_eq!(s, 422, "{q}: {v}");
        assert_eq!(v["code"], "invalid", "{v}");
        assert!(
            v["fields"]["month"].is_string() || v["fields"]["township"].is_string(),
            "{v}"
        );
    }
    let (s, v) = api.get("/api/v1/dashboard?month=2025-02").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str()),
        (Some("2025-02-01"), Some("2025-02-28"))
    );
    // The page says the month was not understood and shows this month.
    let html = t.page_text("demo_leader", "/dashboard?month=2026-99").await;
    assert!(html.contains("id=\"dash-month-invalid\""));
    assert!(html.contains("id=\"dash-kpis\""));
    // A list link whose condition is not understood says so and shows the plain list.
    let html = t.page_text("demo_leader", "/cases?state=all&risk=purple").await;
    assert!(html.contains("id=\"narrow-invalid\""));
}

#[tokio::test]
async fn the_dashboard_exports_as_a_workbook_of_its_tables() {
    use std::io::Read;
    let t = TestApp::spawn("dash_export").await;
    t.app.seed_demo_cases(&t.system_ctx(), 200).await.unwrap();
    let (_, d) = t.api("demo_leader").await.get("/api/v1/dashboard").await;
    let res = t
        .browser("demo_leader", gongzhi_test_support::DEMO_PASSWORD)
        .await
        .get(format!("{}/dashboard/export.xlsx", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut book = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut book)
        .unwrap();
    for name in ["概况", "纠纷类别", "热力村", "检察听证"] {
        assert!(book.contains(&format!("name=\"{name}\"")), "{name}: {book}");
    }
    let mut summary = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut summary)
        .unwrap();
    assert!(
        summary.contains(&format!("<c r=\"B2\"><v>{}</v></c>", d["received"])),
        "{summary}"
    );
    // Who may not see statistics may not export them.
    let res = t
        .browser("demo_reception", gongzhi_test_support::DEMO_PASSWORD)
        .await
        .get(format!("{}/dashboard/export.xlsx", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}
