//! Issue 10 §6: "我的网格" — the grid worker's villages with their open cases, what falls due, and
//! the 1+4+6 people to call; the case page carries the village's roster with numbers to tap.

use gongzhi_test_support::TestApp;
use serde_json::Value;

use crate::statute::dispute;

fn village<'a>(grid: &'a Value, id: &str) -> &'a Value {
    grid["villages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {grid}"))
}

#[tokio::test]
async fn the_grid_worker_sees_the_villages_of_the_township_with_cases_due_and_people_to_call() {
    let t = TestApp::spawn("my_grid").await;
    let grid = t.api("demo_grid").await;
    let place = t.org_id("620702104201").await;
    let other = t.org_id("620702104202").await;
    let id = dispute(&grid, &place, "灌溉用水纠纷").await;

    let (s, g) = grid.get("/api/v1/grid/mine").await;
    assert_eq!(s, 200, "{g}");
    assert_eq!(g["own"], true);
    assert_eq!(g["township"], "乌江镇");
    let v = village(&g, &place);
    assert_eq!(v["open"], 1, "{v}");
    assert_eq!(v["cases"][0]["id"], id.as_str());
    assert!(v["cases"][0]["next_due"]["due"].as_str().is_some(), "{v}");
    assert_eq!(village(&g, &other)["open"], 0);
    let roster = v["roster"].as_array().unwrap();
    assert!(!roster.is_empty(), "the demo roster staffs the village");
    let phone = roster
        .iter()
        .find_map(|m| m["phone"].as_str().filter(|p| !p.is_empty()));

    // On the page: the case, its due date, and numbers to tap.
    let html = t.page_text("demo_grid", "/grid").await;
    assert!(
        html.contains("灌溉用水纠纷") && html.contains("在办 1 件"),
        "{html}"
    );
    if let Some(p) = phone {
        assert!(html.contains(&format!("href=\"tel:{p}\"")));
        let case = t.page_text("demo_grid", &format!("/cases/{id}")).await;
        assert!(case.contains("本村 1+4+6 网格成员") && case.contains(&format!("href=\"tel:{p}\"")));
    }
    // "在办 1 件" leads to the list of that village only.
    let list = t.page_text("demo_grid", &format!("/cases?village={place}")).await;
    assert!(list.contains("灌溉用水纠纷") && list.contains("id=\"village-filter\""));
}

/// A district-wide office has no single grid: it chooses the township, and sees only its own
/// agency's cases there.
#[tokio::test]
async fn a_district_office_chooses_the_township_and_sees_only_what_it_may() {
    let t = TestApp::spawn("my_grid_district").await;
    let grid = t.api("demo_grid").await;
    let place = t.org_id("620702104201").await;
    dispute(&grid, &place, "宅基地边界纠纷").await;
    let police = t.api("demo_partner").await;
    let (s, g) = police.get("/api/v1/grid/mine").await;
    assert_eq!(s, 200);
    assert_eq!(g["own"], false);
    assert!(g["township"].is_null() && g["villages"].as_array().unwrap().is_empty());
    let township = t.org_id("620702104000").await;
    let (_, g) = police
        .get(&format!("/api/v1/grid/mine?township={township}"))
        .await;
    assert_eq!(g["township"], "乌江镇");
    // The centre's dispute is not the police's to see.
    assert_eq!(village(&g, &place)["open"], 0, "{g}");
    assert!(
        t.page_text("demo_partner", "/grid")
            .await
            .contains("请先选择要查看的乡镇")
    );
}
