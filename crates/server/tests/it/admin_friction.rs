//! Issue 10 §8: administration without friction — a roster slot offers only the agencies of its
//! kind, the township's own first, and nothing chosen for it; an error shows at the top; a holiday
//! of several days is one row; reference pages speak Chinese; files show no digest to a clerk.

use gongzhi_test_support::{DEMO_PASSWORD, TestApp};

/// The options of the first `<select name="agency_id">` after `marker`.
fn options_after(html: &str, marker: &str) -> Vec<String> {
    let from = &html[html.find(marker).unwrap_or_else(|| panic!("{marker}"))..];
    let select = &from[from.find("name=\"agency_id\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    select
        .split("<option value=\"")
        .skip(1)
        .map(|o| {
            o.split('>')
                .nth(1)
                .unwrap_or("")
                .split('<')
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_roster_slot_offers_its_kind_of_agency_and_a_refusal_shows_at_the_top() {
    let t = TestApp::spawn_admin("admin_friction").await;
    let township = t.org_id("620702104000").await;
    let village = t.org_id("620702104201").await;
    let html = t
        .page_text("demo_sysadmin", &format!("/admin/roster/{township}"))
        .await;
    let judge = options_after(&html, &format!("/admin/roster/village/{village}/judge\""));
    assert_eq!(judge[0], "请选择所在单位", "nothing is chosen for the user");
    assert!(
        judge.len() > 1
            && judge[1..]
                .iter()
                .all(|a| a.contains("法院") || a.contains("法庭")),
        "{judge:?}"
    );
    let mediator = options_after(&html, &format!("/admin/roster/village/{village}/mediator\""));
    assert!(
        mediator[1].contains("乌江"),
        "the township's own first: {mediator:?}"
    );
    assert!(!mediator.iter().any(|a| a.contains("公安")), "{mediator:?}");

    // Saved without an agency: the page says so at the top, focused, and keeps what was typed.
    let admin = t.browser("demo_sysadmin", DEMO_PASSWORD).await;
    let res = admin
        .post(format!("{}/admin/roster/village/{village}/judge", t.base))
        .form(&[
            ("township", township.as_str()),
            ("version", "0"),
            ("person_name", "王法官"),
            ("agency_id", ""),
            ("phone", "13893600000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    let banner = body.find("id=\"roster-error\"").expect("an error banner");
    assert!(banner < body.find("roster-table").unwrap(), "above the villages");
    assert!(body.contains("value=\"王法官\""));
}

#[tokio::test]
async fn a_holiday_of_several_days_is_one_row() {
    let t = TestApp::spawn_admin("calendar_range").await;
    let admin = t.browser("demo_sysadmin", DEMO_PASSWORD).await;
    let set = |day: &'static str, to: &'static str| {
        admin
            .post(format!("{}/admin/calendar", t.base))
            .form(&[("day", day), ("to", to), ("kind", "rest"), ("name", "国庆节")])
            .send()
    };
    let before = t.snapshot().await;
    assert_eq!(set("2027-10-07", "2027-10-01").await.unwrap().status(), 422);
    assert_eq!(set("2027-10-01", "2027-12-01").await.unwrap().status(), 422);
    assert_eq!(
        t.snapshot().await["calendar_day"],
        before["calendar_day"],
        "a refused range sets nothing"
    );
    let res = set("2027-10-01", "2027-10-07").await.unwrap();
    assert!(
        res.status().is_success() || res.status() == 303,
        "{}",
        res.status()
    );
    let rows = t
        .rows("SELECT COUNT(*) FROM calendar_day WHERE day BETWEEN '2027-10-01' AND '2027-10-07' AND name = '国庆节' AND kind = 'rest'")
        .await;
    assert_eq!(rows[0][0], "7");
}

#[tokio::test]
async fn reference_pages_speak_chinese_and_clerks_see_no_digests() {
    let t = TestApp::spawn("reference_words").await;
    let html = t.page_text("demo_reception", "/admin/categories").await;
    let body = &html[html.find("<tbody>").unwrap()..];
    let first_cell = body.split("<td>").nth(1).unwrap().split('<').next().unwrap();
    assert!(
        first_cell.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "a Chinese name first: {first_cell}"
    );
    assert!(
        !html.contains("Neighbour"),
        "no English names in the Chinese page"
    );
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let id = crate::statute::visit_petition(&reception, &place, "反映执行难").await;
    reception.attach_pdf(&id, "判决书.pdf").await;
    let page = t.page_text("demo_reception", &format!("/cases/{id}")).await;
    assert!(page.contains("判决书.pdf") && !page.contains("SM3"));
}
