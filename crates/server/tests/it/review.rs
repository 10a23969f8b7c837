//! Review and re-review of a government petition (DOMAIN.md §3.3; 信访工作条例 Arts. 35–36):
//! windows as clocks, the next-higher organ, hearings not counted, the matter not accepted again.

use gongzhi_app::domain::Role;
use gongzhi_app::domain::time;
use gongzhi_app::users::UserForm;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

fn petitioner_id() -> String {
    let first17 = "62070219650512001";
    format!(
        "{first17}{}",
        gongzhi_app::domain::idcard::check_char(first17.as_bytes())
    )
}

async fn clock(api: &Api, case: &str, kind: &str) -> Value {
    let (_, d) = api.get(&format!("/api/v1/cases/{case}")).await;
    d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|k| k["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} clock: {d}"))
}

async fn go(api: &Api, case: &str, command: &str) -> (u16, Value) {
    // Each opinion is a decision: the risk gate (§3.5) wants a current assessment first.
    if command.starts_with("issue_") || command == "not_accept" {
        api.post(&format!("/api/v1/cases/{case}/risk"), json!({})).await;
    }
    api.post(
        &format!("/api/v1/cases/{case}/transitions"),
        json!({"command": command, "note": "依据调查结果"}),
    )
    .await
}

/// An account at an agency the demo has none in, signed in to the API.
async fn account(t: &TestApp, code: &str, username: &str, role: Role) -> Api {
    let form = UserForm {
        username: username.into(),
        display_name: format!("{code} {}", role.code()),
        agency_id: t.agency_id(code).await,
        roles: vec![role.code().into()],
        password: "Review#2026gz".into(),
        active: true,
        version: 0,
    };
    t.app.create_user(&t.system_ctx(), &form).await.unwrap();
    // As if the first sign-in's password change were done.
    t.rows(&format!(
        "UPDATE app_user SET must_change_password = 0 WHERE username = '{username}'"
    ))
    .await;
    let c = t.client();
    let body: Value = c
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"username": username, "password": "Review#2026gz"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Api {
        c,
        base: t.base.clone(),
        token: body["token"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned(),
    }
}

#[tokio::test]
async fn review_and_re_review_keep_their_windows_go_up_the_organs_and_end_the_matter() {
    let t = TestApp::spawn("review_path").await;
    let partner = t.api("demo_partner").await;
    let place = t.org_id("620702107201").await;
    let petition = json!({"kind": "gov_petition", "channel": "referral", "category": "LAND_ACQUISITION", "place_id": place,
        "title": "反映征地补偿款分配问题", "narrative": "补偿款未足额发放。",
        "received_at": time::format_local(chrono::Utc::now()),
        "parties": [{"role": "petitioner", "name": "刘某", "id_number": petitioner_id(), "phone": "13912345678"}]});
    let (_, c) = partner.post("/api/v1/cases", petition.clone()).await;
    let id = c["id"].as_str().unwrap().to_owned();
    for cmd in ["route", "accept", "start_handling", "issue_opinion"] {
        assert_eq!(go(&partner, &id, cmd).await.0, 200, "{cmd}");
    }
    // The petitioner's 30 days to ask for review run from the written opinion.
    let window = clock(&partner, &id, "review_window").await;
    assert_eq!(window["state"], "running");
    // While they run, the case cannot be closed and so a timely request lost.
    let (s, e) = go(&partner, &id, "close").await;
    assert_eq!(s, 422, "{e}");
    let msg = e["fields"]["note"].as_str().unwrap();
    assert!(
        msg.contains(window["due"].as_str().unwrap()) && msg.contains("第三十五"),
        "{msg}"
    );

    // Requested in time: the review goes to the next-higher organ, the city bureau.
    assert_eq!(go(&partner, &id, "request_review").await.0, 200);
    assert_eq!(
        partner.get(&format!("/api/v1/cases/{id}")).await.0,
        404,
        "no longer the district branch's case"
    );
    let city = account(&t, "ZY-GAJ", "zy_handler", Role::PartnerHandler).await;
    let (_, d) = city.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["owner_agency"], "张掖市公安局", "{d}");
    assert_eq!(clock(&city, &id, "review_window").await["state"], "met");
    assert_eq!(clock(&city, &id, "review_opinion").await["state"], "running");
    assert_eq!(go(&city, &id, "issue_review_opinion").await.0, 200);
    let rewindow = clock(&city, &id, "rereview_window").await;
    assert_eq!(rewindow["state"], "running");

    // A re-review asked after its window is refused, naming the last day.
    t.rows(&format!(
        "UPDATE case_clock SET due_date = '2026-01-05' WHERE case_id = '{id}' AND kind = 'rereview_window'"
    ))
    .await;
    let (s, e) = go(&city, &id, "request_rereview").await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["note"].as_str().unwrap().contains("2026-01-05"),
        "{e}"
    );
    t.rows(&format!(
        "UPDATE case_clock SET due_date = '{}' WHERE case_id = '{id}' AND kind = 'rereview_window'",
        rewindow["due"].as_str().unwrap()
    ))
    .await;
    assert_eq!(go(&city, &id, "request_rereview").await.0, 200);
    assert_eq!(
        city.get(&format!("/api/v1/cases/{id}")).await.0,
        404,
        "on to the province"
    );
    let province = account(&t, "GS-GAT", "gs_handler", Role::PartnerHandler).await;
    let (_, d) = province.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["owner_agency"], "甘肃省公安厅", "{d}");

    // The re-review's hearing time is not counted: that, and only that, pauses its clock. Its
    // approval is the province department's head's, so one is made for it.
    let rereview = clock(&province, &id, "rereview_opinion").await;
    let head = account(&t, "GS-GAT", "gs_head", Role::AgencyHead).await;
    let url = format!("/api/v1/cases/{id}/clocks/{}", rereview["id"].as_str().unwrap());
    let (s, e) = head
        .post(&url, json!({"action": "pause", "reason": "组织听证"}))
        .await;
    assert_eq!(s, 422, "a reason the rule names is required: {e}");
    assert!(
        e["fields"]["pause_reason"].as_str().unwrap().contains("hearing"),
        "{e}"
    );
    let (s, e) = head
        .post(
            &url,
            json!({"action": "pause", "pause_reason": "hearing", "reason": "组织复核听证"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(clock(&province, &id, "rereview_opinion").await["state"], "paused");
    head.post(&url, json!({"action": "resume", "reason": "听证结束"}))
        .await;
    assert_eq!(go(&province, &id, "issue_rereview_opinion").await.0, 200);
    assert_eq!(go(&province, &id, "close").await.0, 200);

    // The same petitioner raises the same matter again: flagged, linked, not accepted.
    let (_, again) = partner.post("/api/v1/cases", petition).await;
    let again = again["id"].as_str().unwrap().to_owned();
    go(&partner, &again, "route").await;
    let (s, e) = go(&partner, &again, "accept").await;
    assert_eq!(s, 422, "{e}");
    let number = d["case"]["number"].as_str().unwrap();
    assert!(e["fields"]["note"].as_str().unwrap().contains(number), "{e}");
    assert_eq!(go(&partner, &again, "not_accept").await.0, 200);
    let page = t
        .browser("demo_partner", gongzhi_test_support::DEMO_PASSWORD)
        .await
        .get(format!("{}/cases/{again}", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"rereviewed\"") && page.contains(number));
}

#[tokio::test]
async fn an_agency_s_superior_is_set_by_an_administrator_and_never_below_it() {
    let t = TestApp::spawn_admin("review_superior").await;
    let admin = t.api("demo_sysadmin").await;
    let city = t.agency_id("ZY-GAJ").await;
    let district = t.agency_id("GZ-GAJ").await;
    // The city bureau cannot be reviewed by the district branch below it.
    let (s, e) = admin
        .post(
            &format!("/api/v1/agencies/{city}/superior"),
            json!({"superior_id": district}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = admin
        .post(
            &format!("/api/v1/agencies/{district}/superior"),
            json!({"superior_id": "not-an-id"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let court = t.agency_id("GZ-FY").await;
    let (s, e) = admin
        .post(
            &format!("/api/v1/agencies/{court}/superior"),
            json!({"superior_id": city}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, _) = t
        .api("demo_prosecutor")
        .await
        .post(
            &format!("/api/v1/agencies/{court}/superior"),
            json!({"superior_id": ""}),
        )
        .await;
    assert_eq!(s, 403);
}

/// A window the petitioner let pass lapses without an escalation (it is their time, not the
/// agency's duty), and then the case may be closed.
#[tokio::test]
async fn a_review_window_left_to_pass_lapses_and_the_case_closes() {
    let t = TestApp::spawn("review_lapse").await;
    let partner = t.api("demo_partner").await;
    let place = t.org_id("620702107201").await;
    let (_, c) = partner
        .post(
            "/api/v1/cases",
            json!({"kind": "gov_petition", "channel": "referral", "category": "LAND_ACQUISITION", "place_id": place,
                "title": "反映征地补偿问题", "narrative": "补偿款未足额发放。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "刘某", "phone": "13912345678"}]}),
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    for cmd in ["route", "accept", "start_handling", "issue_opinion"] {
        assert_eq!(go(&partner, &id, cmd).await.0, 200, "{cmd}");
    }
    t.rows(&format!(
        "UPDATE case_clock SET due_date = '2026-01-05' WHERE case_id = '{id}' AND kind = 'review_window'"
    ))
    .await;
    let today = time::local_date(chrono::Utc::now());
    let (_, escalations) = t.app.sweep_deadlines(&t.system_ctx(), today).await.unwrap();
    assert_eq!(escalations, 0);
    let k = clock(&partner, &id, "review_window").await;
    assert_eq!(
        (k["state"].as_str(), k["note"].as_str()),
        (Some("exempt"), Some("期满，信访人未请求复查"))
    );
    let (s, e) = go(&partner, &id, "request_review").await;
    assert_eq!(s, 422, "too late: {e}");
    assert_eq!(go(&partner, &id, "close").await.0, 200);
}
