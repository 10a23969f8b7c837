//! The calendar ahead (issue 9 §13): the warning when next year is not loaded, due dates beyond
//! the loaded calendar marked provisional, a whole State Council notice entered at once (form and
//! CSV), and the clocks it moves recomputed and listed.

use gongzhi_app::domain::time;
use gongzhi_app::import::{ImportKind, ImportOutcome};
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use serde_json::{Value, json};

fn handling(d: &Value) -> Value {
    d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "handling")
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn next_year_is_warned_of_provisional_and_recomputed_when_its_notice_is_entered() {
    let t = TestApp::spawn_admin("calendar_ahead").await;
    let today = time::local_date(chrono::Utc::now());
    let next = chrono::Datelike::year(&today) + 1;
    // The shipped calendar holds 2024–2026: from November the administrator is told.
    let missing = t
        .app
        .calendar_missing(&t.ctx("demo_sysadmin").await)
        .await
        .unwrap();
    if chrono::Datelike::month(&today) >= 11 {
        assert!(missing.contains(&next), "{missing:?}");
        let home = t
            .browser("demo_sysadmin", DEMO_PASSWORD)
            .await
            .get(format!("{}/", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("id=\"calendar-missing\"") && home.contains(&format!("{next}")),
            "home warns"
        );
    }

    // A government petition accepted today: 60 days run into next year, so the due date is
    // provisional.
    let partner = t.api("demo_partner").await;
    let place = t.org_id("620702107201").await;
    let new_case = |title: &str| {
        json!({"kind": "gov_petition", "channel": "referral", "category": "LAND_ACQUISITION", "place_id": place,
            "title": title, "narrative": "补偿款未足额发放。",
            "received_at": time::format_local(chrono::Utc::now()),
            "parties": [{"role": "petitioner", "name": "刘某", "phone": "13912345678"}]})
    };
    let mut ids = Vec::new();
    for title in ["征地补偿一", "征地补偿二"] {
        let (_, c) = partner.post("/api/v1/cases", new_case(title)).await;
        let id = c["id"].as_str().unwrap().to_owned();
        for cmd in ["route", "accept"] {
            partner
                .post(
                    &format!("/api/v1/cases/{id}/transitions"),
                    json!({"command": cmd}),
                )
                .await;
        }
        ids.push(id);
    }
    let (_, d) = partner.get(&format!("/api/v1/cases/{}", ids[0])).await;
    let k = handling(&d);
    let due: chrono::NaiveDate = k["due"].as_str().unwrap().parse().unwrap();
    if chrono::Datelike::year(&due) == next {
        assert_eq!(k["provisional"], true, "{k}");
    }
    assert!(k["rule_version"].as_i64().unwrap() >= 1);
    // The second is extended by hand: the notice does not move it, it lists it to be checked.
    let head = t.api("demo_police_head").await;
    let (_, d2) = partner.get(&format!("/api/v1/cases/{}", ids[1])).await;
    let (s, e) = head
        .post(
            &format!(
                "/api/v1/cases/{}/clocks/{}",
                ids[1],
                handling(&d2)["id"].as_str().unwrap()
            ),
            json!({"action": "extend", "days": 5, "reason": "需补充调查"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");

    // A notice declaring the due date and the two days after it holidays (a fictional one: the
    // test must not depend on next year's real notice).
    let until = due + chrono::Days::new(2);
    let admin = t.browser("demo_sysadmin", DEMO_PASSWORD).await;
    let post = |form: Vec<(String, String)>| {
        let admin = admin.clone();
        let url = format!("{}/admin/calendar/notice", t.base);
        async move { admin.post(url).form(&form).send().await.unwrap() }
    };
    // Refused first, every problem named, nothing saved.
    let before = t.snapshot().await;
    let bad = post(vec![
        ("holidays[0].name".into(), "".into()),
        ("holidays[0].from".into(), until.to_string()),
        ("holidays[0].to".into(), due.to_string()),
        ("holidays[1].name".into(), "春节".into()),
        ("holidays[1].from".into(), due.to_string()),
        ("holidays[1].to".into(), due.to_string()),
        ("holidays[1].workdays".into(), "2027-13-40".into()),
    ])
    .await;
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    assert!(
        page.contains("请按红色提示修改") && page.contains("2027-13-40"),
        "typed text kept"
    );
    assert_eq!(t.snapshot().await, before);
    let res = post(vec![
        ("holidays[0].name".into(), "测试假期".into()),
        ("holidays[0].from".into(), due.to_string()),
        ("holidays[0].to".into(), until.to_string()),
    ])
    .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("id=\"calendar-moved\""),
        "the moved clocks are listed"
    );
    let (_, d) = partner.get(&format!("/api/v1/cases/{}", ids[0])).await;
    let moved = handling(&d);
    assert!(
        moved["due"].as_str().unwrap() > until.to_string().as_str(),
        "{moved}"
    );
    assert!(
        page.contains(&format!("{due} → {}", moved["due"].as_str().unwrap())),
        "{page}"
    );
    assert_eq!(moved["provisional"], false, "the year is loaded now");
    let (_, d2) = partner.get(&format!("/api/v1/cases/{}", ids[1])).await;
    let kept = handling(&d2);
    assert!(
        page.contains(kept["due"].as_str().unwrap()),
        "the extended one is listed to check"
    );
    let audit = t
        .rows("SELECT action FROM audit_event WHERE action = 'calendar.notice'")
        .await;
    assert_eq!(audit.len(), 1);
}

#[tokio::test]
async fn a_notice_in_csv_is_all_or_nothing_with_its_lines_named() {
    let t = TestApp::spawn_admin("calendar_csv").await;
    let ctx = t.ctx("demo_sysadmin").await;
    let before = t.snapshot().await;
    let bad = "name,from,to,workdays\n元旦,2027-01-01,2027-01-01,\n春节,2027-02-10,2027-02-01,2027-02-06\n劳动节,2027-05-01,2027-05-05,2027-05-06\n";
    match t
        .app
        .import_csv(&ctx, ImportKind::HolidayNotice, bad.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Rejected(rows) => {
            let got: Vec<(usize, String, String)> = rows
                .iter()
                .flat_map(|r| {
                    r.errors
                        .iter()
                        .map(move |e| (r.line, e.field.clone(), e.key.clone()))
                })
                .collect();
            assert_eq!(
                got,
                vec![
                    (3, "to".into(), "notice-period-invalid".into()),
                    (4, "workdays".into(), "notice-workday-not-weekend".into()),
                ],
                "{rows:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(t.snapshot().await, before, "nothing saved");
    let good = "name,from,to,workdays\n元旦,2027-01-01,2027-01-03,\n春节,2027-02-06,2027-02-13,2027-02-14 2027-02-20\n";
    assert_eq!(
        t.app
            .import_csv(&ctx, ImportKind::HolidayNotice, good.as_bytes())
            .await
            .unwrap(),
        ImportOutcome::Imported {
            created: 2,
            updated: 0
        }
    );
    let days = t.app.calendar_year(&ctx, 2027).await.unwrap();
    assert_eq!(days.len(), 3 + 8 + 2);
    assert!(!t.app.calendar_missing(&ctx).await.unwrap().contains(&2027));
}
