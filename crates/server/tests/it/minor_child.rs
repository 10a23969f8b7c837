//! Issue 12 §3: a child's record and its support plan as part of the minors' security class — the
//! record opens only for the juvenile team or a grantee, with a reason, every try audited; an
//! agency sees its support task with the child masked and reports back; a caring mother is paired
//! and her visits recorded by the granted coordinator; the weekly guardian contact is checked to
//! the day; and no page or API answer anyone can GET names the child.

use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use gongzhi_web::routes::catalogue;
use serde_json::json;

const NAME: &str = "甄秘童";
const ID_NUMBER: &str = "620702201605010023";

#[tokio::test]
async fn a_childs_record_its_plan_its_caring_mother_and_the_weekly_call() {
    let t = TestApp::spawn("minor_child").await;
    let juvenile = t.api("demo_juvenile").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let fulian = t.api("demo_fulian").await;
    let police = t.api("demo_partner").await;
    let village = t.org_id("620702104201").await;
    let (s, r) = juvenile
        .post(
            "/api/v1/minors/children",
            json!({"person": {"name": NAME, "sex": "女", "id_number": ID_NUMBER, "school": "乌江镇中心小学",
                "address": "乌江村三社 12 号", "guardian": "父亲（新疆务工）", "carer": "祖母"},
                "guardian_situation": "guardian_away", "village_id": village}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let id = r["id"].as_str().unwrap().to_owned();
    // Bad input is answered field by field; an adult's ID number is not a child's.
    let (s, e) = juvenile
        .post(
            "/api/v1/minors/children",
            json!({"person": {"name": "", "id_number": "11010519491231002X"}, "guardian_situation": "x"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let text = e.to_string();
    for field in ["person.name", "person.id_number", "guardian_situation"] {
        assert!(text.contains(field), "{field}: {text}");
    }
    assert_eq!(
        prosecutor
            .post(
                "/api/v1/minors/children",
                json!({"person": {"name": "张三"}, "guardian_situation": "left_behind"})
            )
            .await
            .0,
        403
    );
    let anon = t
        .client()
        .get(format!("{}/api/v1/minors/children", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);

    // The list masks the child; the birth date came from the ID number.
    let (_, list) = juvenile.get("/api/v1/minors/children").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["child"], "甄**");
    assert!(!list.to_string().contains(NAME));
    let (s, v) = juvenile
        .post(
            &format!("/api/v1/minors/children/{id}/open"),
            json!({"reason": "制定帮扶计划"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["person"]["name"], NAME);
    assert_eq!(v["person"]["birth_date"], "2016-05-01");
    assert_eq!(v["under14"], true);
    // A reason is required; anyone else is refused, an unknown id alike, and it is audited.
    assert_eq!(
        juvenile
            .post(
                &format!("/api/v1/minors/children/{id}/open"),
                json!({"reason": ""})
            )
            .await
            .0,
        422
    );
    for who in [&prosecutor, &fulian] {
        assert_eq!(
            who.post(
                &format!("/api/v1/minors/children/{id}/open"),
                json!({"reason": "看看"})
            )
            .await
            .0,
            403
        );
    }
    let unknown = "01900000-0000-7000-8000-000000000000";
    assert_eq!(
        prosecutor
            .post(
                &format!("/api/v1/minors/children/{unknown}/open"),
                json!({"reason": "看看"})
            )
            .await
            .0,
        403
    );
    let denied = t
        .rows("SELECT COUNT(*) FROM audit_event WHERE action = 'denied.minor.child.open'")
        .await;
    assert_eq!(denied[0][0], "3");
    let opens = t
        .rows(&format!(
            "SELECT changes FROM audit_event WHERE action = 'minor.child.open' AND target_id = '{id}'"
        ))
        .await;
    assert!(opens[0][0].contains("制定帮扶计划"), "{opens:?}");

    // A task for the Women's Federation: it sees the task, the child masked, and reports back;
    // the police do not see it and cannot close it.
    let fl = t.agency_id("GZ-FL").await;
    let (s, task) = juvenile
        .post(
            &format!("/api/v1/minors/children/{id}/tasks"),
            json!({"protection": "family", "agency_id": fl, "detail": "每月家庭教育指导一次", "due_on": "2099-01-31"}),
        )
        .await;
    assert_eq!(s, 200, "{task}");
    let task = task["id"].as_str().unwrap().to_owned();
    let (s, bad) = juvenile
        .post(
            &format!("/api/v1/minors/children/{id}/tasks"),
            json!({"protection": "x", "agency_id": "", "detail": "", "due_on": "明天"}),
        )
        .await;
    assert_eq!(s, 422, "{bad}");
    let (_, mine) = fulian.get("/api/v1/minors/tasks").await;
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["child"], "甄**");
    assert!(!mine.to_string().contains(NAME));
    let (_, theirs) = police.get("/api/v1/minors/tasks").await;
    assert_eq!(theirs["total"], 0);
    let done = json!({"version": 1, "note": "已上门指导祖母"});
    assert_eq!(
        police
            .post(&format!("/api/v1/minors/tasks/{task}/done"), done.clone())
            .await
            .0,
        404
    );
    assert_eq!(
        fulian
            .post(
                &format!("/api/v1/minors/tasks/{task}/done"),
                json!({"version": 1, "note": "", "cancel": true})
            )
            .await
            .0,
        403,
        "only the team withdraws"
    );
    let (s, e) = fulian
        .post(&format!("/api/v1/minors/tasks/{task}/done"), done.clone())
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        fulian
            .post(&format!("/api/v1/minors/tasks/{task}/done"), done)
            .await
            .0,
        409
    );

    // A caring mother: one at a time; her visits are recorded by the coordinator once granted.
    let pair = json!({"mother": {"name": "张秀兰", "phone": "13900002222"}});
    assert_eq!(
        juvenile
            .post(&format!("/api/v1/minors/children/{id}/pairing"), pair.clone())
            .await
            .0,
        200
    );
    assert_eq!(
        juvenile
            .post(&format!("/api/v1/minors/children/{id}/pairing"), pair)
            .await
            .0,
        422
    );
    let today = gongzhi_app::domain::time::local_date(chrono::Utc::now()).to_string();
    let visit = json!({"kind": "mother_visit", "on_day": today, "notes": "陪伴写作业"});
    assert_eq!(
        fulian
            .post(&format!("/api/v1/minors/children/{id}/contacts"), visit.clone())
            .await
            .0,
        403
    );
    let (s, _) = juvenile
        .post(
            &format!("/api/v1/minors/children/{id}/grants"),
            json!({"user": "demo_fulian"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, e) = fulian
        .post(&format!("/api/v1/minors/children/{id}/contacts"), visit)
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, granted) = fulian.get("/api/v1/minors/children").await;
    assert_eq!(granted["total"], 1);
    assert_eq!(
        fulian
            .post(
                &format!("/api/v1/minors/children/{id}/tasks"),
                json!({"protection": "school", "agency_id": fl, "detail": "x", "due_on": "2099-01-01"})
            )
            .await
            .0,
        403,
        "a grantee records, the team plans"
    );
    let counselling = json!({"kind": "counselling", "on_day": today, "minutes": 45});
    assert_eq!(
        juvenile
            .post(&format!("/api/v1/minors/children/{id}/contacts"), counselling)
            .await
            .0,
        422,
        "the counsellor is named"
    );
    let future = json!({"kind": "guardian_contact", "on_day": "2099-01-01"});
    assert_eq!(
        juvenile
            .post(&format!("/api/v1/minors/children/{id}/contacts"), future)
            .await
            .0,
        422
    );

    // The weekly call (§3.9): seven days is still the week, eight is a day overdue.
    for (days_ago, overdue) in [(7, json!(null)), (8, json!(1)), (10, json!(3))] {
        let opened = (chrono::Utc::now() - chrono::Duration::days(days_ago))
            .with_timezone(&gongzhi_app::domain::time::china())
            .date_naive();
        t.rows(&format!(
            "UPDATE minor_child SET opened_on = '{opened}', guardian_contact_on = NULL WHERE id = '{id}'"
        ))
        .await;
        let (_, l) = juvenile.get("/api/v1/minors/children").await;
        assert_eq!(l["items"][0]["contact_overdue_days"], overdue, "{days_ago} days");
    }
    let html = t.page_text("demo_juvenile", "/inbox").await;
    assert!(
        html.contains("监护人未按周联系") && html.contains("甄**") && !html.contains(NAME),
        "the inbox shows it masked"
    );
    let call = json!({"kind": "guardian_contact", "on_day": today, "who": "父亲", "notes": "视频通话"});
    assert_eq!(
        juvenile
            .post(&format!("/api/v1/minors/children/{id}/contacts"), call)
            .await
            .0,
        200
    );
    let (_, l) = juvenile.get("/api/v1/minors/children").await;
    assert_eq!(l["items"][0]["contact_overdue_days"], json!(null));
    assert_eq!(l["items"][0]["guardian_contact_on"], json!(today));

    // Closing ends the plan; nothing more is added.
    let (s, _) = juvenile
        .post(
            &format!("/api/v1/minors/children/{id}/close"),
            json!({"version": 1, "outcome": "父亲返乡照顾"}),
        )
        .await;
    assert_eq!(s, 409, "the record moved on since version 1");
    let version = t
        .rows(&format!("SELECT version FROM minor_child WHERE id = '{id}'"))
        .await[0][0]
        .clone();
    let (s, e) = juvenile
        .post(
            &format!("/api/v1/minors/children/{id}/close"),
            json!({"version": version.parse::<i64>().unwrap(), "outcome": "父亲返乡照顾"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        juvenile
            .post(
                &format!("/api/v1/minors/children/{id}/contacts"),
                json!({"kind": "guardian_contact", "on_day": today})
            )
            .await
            .0,
        422
    );
    // The audit never names the child; the stored record is ciphertext.
    let audit = t.rows("SELECT changes FROM audit_event").await;
    assert!(!format!("{audit:?}").contains(NAME));
    let stored = t
        .rows(&format!("SELECT person_enc FROM minor_child WHERE id = '{id}'"))
        .await;
    assert!(!stored[0][0].contains(NAME) && !stored[0][0].contains(ID_NUMBER));
}

#[tokio::test]
async fn a_report_opens_its_childs_record_and_no_page_anyone_can_get_names_the_child() {
    let t = TestApp::spawn("minor_redaction").await;
    let juvenile = t.api("demo_juvenile").await;
    let (s, r) = juvenile
        .post(
            "/api/v1/minors",
            json!({"reporter_kind": "hospital", "reporter": {"organisation": "甘州区人民医院"},
                "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
                "harm_kind": "abuse_injuries", "guardian_situation": "left_behind", "village_id": t.org_id("620702104201").await,
                "child": {"name": NAME, "birth_date": "2016-05-01", "address": "乌江村三社 12 号", "what": "多处淤青"}}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let report = r["id"].as_str().unwrap().to_owned();
    let (s, c) = juvenile
        .post(&format!("/api/v1/minors/{report}/child"), json!({}))
        .await;
    assert_eq!(s, 200, "{c}");
    let child = c["id"].as_str().unwrap().to_owned();
    let (_, again) = juvenile
        .post(&format!("/api/v1/minors/{report}/child"), json!({}))
        .await;
    assert_eq!(again["id"], child.as_str(), "a linked report answers its record");
    let (_, v) = juvenile
        .post(
            &format!("/api/v1/minors/children/{child}/open"),
            json!({"reason": "核实"}),
        )
        .await;
    assert_eq!(v["person"]["name"], NAME);
    assert_eq!(v["reports"][0]["id"], report.as_str());

    // Every GET route of the router, by every role and by nobody, the ids filled with the
    // child's and the report's: none names the child or shows the address.
    let mut accounts: Vec<Option<reqwest::Client>> = vec![None];
    for u in [
        "demo_sysadmin",
        "demo_secadmin",
        "demo_auditor",
        "demo_chief",
        "demo_prosecutor",
        "demo_assistant",
        "demo_reception",
        "demo_juvenile",
        "demo_hearing",
        "demo_partner",
        "demo_grid",
        "demo_leader",
        "demo_centre_head",
        "demo_fulian",
    ] {
        accounts.push(Some(t.browser(u, DEMO_PASSWORD).await));
    }
    let gets: Vec<_> = catalogue().into_iter().filter(|r| r.method == "GET").collect();
    let mut tried = 0;
    for client in &accounts {
        for r in &gets {
            for id in [&child, &report] {
                let path = regex_fill(&r.path, id);
                let req = match client {
                    Some(c) => c.get(format!("{}{path}", t.base)),
                    None => t.client().get(format!("{}{path}", t.base)),
                };
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let body = res.text().await.unwrap_or_default();
                assert!(status < 500, "{path}: {status}");
                assert!(
                    !body.contains(NAME) && !body.contains("乌江村三社"),
                    "{path} names the child"
                );
                tried += 1;
            }
        }
    }
    eprintln!("GET answers checked for the child's name: {tried}");
}

/// A route's path with every `{param}` replaced by `id`.
fn regex_fill(path: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                out.push_str(id);
                rest = &rest[open + close + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}
