//! Every role against every protected route: allowed routes answer, denied ones are 403.
use gongzhi_app::Security;
use gongzhi_app::domain::policy::Role;
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use gongzhi_web::routes::PROTECTED;

#[tokio::test]
async fn every_role_against_every_route() {
    let t = TestApp::spawn_with(
        "matrix",
        Security {
            admin_totp_required: false,
            ..Security::default()
        },
    )
    .await;
    let token = t.token("demo_grid").await;
    let api = t.client();
    let get = |path: String| {
        let api = api.clone();
        let token = token.clone();
        let base = t.base.clone();
        async move {
            api.get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let roots = get("/api/v1/org-units".into()).await;
    let gansu = roots[0]["id"].as_str().unwrap().to_owned();
    let city = get(format!("/api/v1/org-units?parent={gansu}")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let district = get(format!("/api/v1/org-units?parent={city}")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let towns = get(format!("/api/v1/org-units?parent={district}")).await;
    let wujiang = towns
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "620702104000")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let village = get(format!("/api/v1/org-units?parent={wujiang}")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let agency = get("/api/v1/agencies".into()).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = gongzhi_app::store::users::by_username(&mut t.db.conn().await.unwrap(), "demo_grid")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();

    let accounts = [
        ("demo_sysadmin", Role::SystemAdmin),
        ("demo_secadmin", Role::SecurityAdmin),
        ("demo_auditor", Role::AuditAdmin),
        ("demo_chief", Role::ChiefProsecutor),
        ("demo_prosecutor", Role::Prosecutor),
        ("demo_assistant", Role::ProsecutorAssistant),
        ("demo_reception", Role::ReceptionClerk),
        ("demo_juvenile", Role::JuvenileTeam),
        ("demo_hearing", Role::HearingPoolManager),
        ("demo_partner", Role::PartnerHandler),
        ("demo_grid", Role::GridWorker),
        ("demo_leader", Role::Leader),
    ];
    assert_eq!(accounts.len(), Role::ALL.len());
    let mut checked = 0;
    for (username, role) in accounts {
        let browser = t.browser(username, DEMO_PASSWORD).await;
        for r in PROTECTED {
            let path = r
                .path
                .replace("{district}", &district)
                .replace("{agency}", &agency)
                .replace("{township}", &wujiang)
                .replace("{village}", &village)
                .replace("{user}", &user);
            let url = format!("{}{path}", t.base);
            let res = match (r.method, path.starts_with("/api/")) {
                ("GET", false) => browser.get(&url).send().await.unwrap(),
                ("POST", false) => browser.post(&url).form(&[("noop", "1")]).send().await.unwrap(),
                ("GET", true) => browser.get(&url).send().await.unwrap(),
                _ => browser
                    .post(&url)
                    .json(&serde_json::json!({}))
                    .send()
                    .await
                    .unwrap(),
            };
            let status = res.status().as_u16();
            if role.allows(r.action) {
                assert!(
                    status != 403 && status != 401 && status < 500,
                    "{role} {} {path}: {status}",
                    r.method
                );
            } else {
                assert_eq!(status, 403, "{role} {} {path} must be denied", r.method);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, Role::ALL.len() * PROTECTED.len());
}
