//! The holes an outside probe found, each closed and proved from outside: nobody without an account
//! writes anything, secrets cannot be guessed faster than the lockout allows.
use gongzhi_app::Security;
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use serde_json::Value;

#[tokio::test]
async fn nobody_without_an_account_can_create_a_user_or_reset_a_password() {
    let t = TestApp::spawn("anonadmin").await;
    let anon = t.client();
    let jcy = t.agency_id("GZ-JCY").await;
    let grid = t.user_id("demo_grid").await;
    let before = t.snapshot().await;

    // Hole 1: a same-origin form post with no session tried to create a system administrator.
    let res = anon
        .post(format!("{}/admin/users", t.base))
        .form(&[
            ("username", "intruder"),
            ("display_name", "入侵者"),
            ("agency_id", jcy.as_str()),
            ("roles", "system_admin"),
            ("password", "Intrude#2026x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"));
    let res = anon
        .post(format!("{}/api/v1/users", t.base))
        .json(
            &serde_json::json!({"username": "intruder2", "display_name": "入侵者", "agency_id": jcy,
            "roles": ["chief_prosecutor"], "password": "Intrude#2026x"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Hole 2: anyone reset anyone's password.
    let res = anon
        .post(format!("{}/admin/users/{grid}/reset-password", t.base))
        .form(&[("password", "Taken#2026over")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    assert_eq!(t.snapshot().await, before, "no business row changed");
    assert!(t.user_id("intruder").await.is_empty());
    t.browser("demo_grid", DEMO_PASSWORD).await;
    // Each attempt is in the audit trail, as the public's, with the address.
    let denied = t
        .rows("SELECT action, principal, ip FROM audit_event WHERE outcome = 'denied' ORDER BY occurred_at")
        .await;
    for action in ["denied.manage_users", "denied.manage_user_security"] {
        assert!(
            denied
                .iter()
                .any(|r| r[0] == action && r[1] == "public" && r[2] == "127.0.0.1"),
            "{action} audited: {denied:?}"
        );
    }
}

/// Enrols the second factor of an administrator through the pages; returns the secret.
async fn enrol(t: &TestApp, username: &str) -> Vec<u8> {
    let b = t.browser(username, DEMO_PASSWORD).await;
    let page = b
        .get(format!("{}/login/totp", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let secret = page
        .split("id=\"totp-secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    let raw = data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).unwrap();
    let code = gongzhi_app::domain::totp::code_at(
        &raw,
        gongzhi_app::domain::totp::counter_at(chrono::Utc::now().timestamp()),
    );
    let res = b
        .post(format!("{}/login/totp", t.base))
        .form(&[("code", code.as_str()), ("secret", secret.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/", "enrolled");
    raw
}

fn wrong_code(secret: &[u8]) -> String {
    let now = gongzhi_app::domain::totp::counter_at(chrono::Utc::now().timestamp());
    let near: Vec<String> = (now - 2..=now + 2)
        .map(|c| gongzhi_app::domain::totp::code_at(secret, c))
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .unwrap()
}

#[tokio::test]
async fn the_web_second_factor_locks_after_five_wrong_codes_and_ends_the_half_login() {
    let t = TestApp::spawn("totpthrottle").await;
    let secret = enrol(&t, "demo_secadmin").await;
    let b = t.browser("demo_secadmin", DEMO_PASSWORD).await;
    let wrong = wrong_code(&secret);
    for i in 0..4 {
        let res = b
            .post(format!("{}/login/totp", t.base))
            .form(&[("code", wrong.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "wrong code {i}");
    }
    let res = b
        .post(format!("{}/login/totp", t.base))
        .form(&[("code", wrong.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the fifth wrong code locks");
    assert!(res.text().await.unwrap().contains("账户已被锁定"));
    // The right code no longer helps: the half-finished login is gone, and so is a new one.
    let right = gongzhi_app::domain::totp::code_at(
        &secret,
        gongzhi_app::domain::totp::counter_at(chrono::Utc::now().timestamp()),
    );
    let res = b
        .post(format!("{}/login/totp", t.base))
        .form(&[("code", right.as_str())])
        .send()
        .await
        .unwrap();
    assert_ne!(
        res.headers().get("location").map(|l| l.to_str().unwrap()),
        Some("/")
    );
    let res = t
        .client()
        .post(format!("{}/login", t.base))
        .form(&[("username", "demo_secadmin"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the account is locked for the password too");
    let pending = t
        .rows("SELECT COUNT(*) FROM auth_session WHERE stage = 'mfa'")
        .await;
    assert_eq!(pending[0][0], "0");
}

#[tokio::test]
async fn failures_from_one_address_lock_that_address_whatever_the_accounts() {
    let t = TestApp::spawn_with(
        "addressthrottle",
        Security {
            max_failures_per_address: 6,
            ..Security::default()
        },
    )
    .await;
    let c = t.client();
    for name in ["a1", "a2", "a3", "a4", "a5", "a6"] {
        c.post(format!("{}/login", t.base))
            .form(&[("username", name), ("password", "wrong")])
            .send()
            .await
            .unwrap();
    }
    let res = c
        .post(format!("{}/login", t.base))
        .form(&[("username", "demo_grid"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the address is locked");
    let res = c
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&serde_json::json!({"username": "demo_grid", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "locked");
}

/// The session cookie a response sets, if it sets one.
fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("gz_session="))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .filter(|v| !v.is_empty())
}

/// A plain client sending one session cookie (what someone who copied it could do): the status
/// and where it is sent.
async fn with_cookie(t: &TestApp, token: &str, path: &str) -> (u16, String) {
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}{path}", t.base))
        .header("cookie", format!("gz_session={token}"))
        .send()
        .await
        .unwrap();
    let to = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (res.status().as_u16(), to)
}

#[tokio::test]
async fn parallel_second_factor_guesses_get_five_tries_and_a_finished_login_gets_a_new_session() {
    let t = TestApp::spawn("totpburst").await;
    let secret = enrol(&t, "demo_secadmin").await;
    let now = gongzhi_app::domain::totp::counter_at(chrono::Utc::now().timestamp());

    // A login finished with the second factor: the half-login's cookie is worth nothing after.
    let b = t.client();
    let res = b
        .post(format!("{}/login", t.base))
        .form(&[("username", "demo_secadmin"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    let half = session_cookie(&res).expect("a half-login cookie");
    let next = gongzhi_app::domain::totp::code_at(&secret, now + 1);
    let res = b
        .post(format!("{}/login/totp", t.base))
        .form(&[("code", next.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");
    let full = session_cookie(&res).expect("a new cookie once logged in");
    assert_ne!(half, full, "the session is rotated");
    assert_eq!(with_cookie(&t, &full, "/admin/lockouts").await.0, 200);
    let (status, to) = with_cookie(&t, &half, "/admin/lockouts").await;
    assert_eq!(status, 303);
    assert!(
        to.starts_with("/login?"),
        "the old cookie is no session at all: {to}"
    );

    // Twenty wrong codes at once on one half-login: at most five are checked, then all refused.
    let b = t.client();
    b.post(format!("{}/login", t.base))
        .form(&[("username", "demo_secadmin"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    let wrong = wrong_code(&secret);
    let guesses = (0..20).map(|_| {
        let b = b.clone();
        let url = format!("{}/login/totp", t.base);
        let code = wrong.clone();
        tokio::spawn(async move {
            b.post(url)
                .form(&[("code", code.as_str())])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for g in guesses {
        statuses.push(g.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 422).count();
    assert!(
        checked <= 4,
        "at most four wrong codes answered as wrong: {statuses:?}"
    );
    assert!(statuses.contains(&429), "the burst ends locked: {statuses:?}");
    assert!(
        statuses.iter().all(|s| [422, 429, 303].contains(s)),
        "{statuses:?}"
    );
    let right = gongzhi_app::domain::totp::code_at(&secret, now + 2);
    let res = b
        .post(format!("{}/login/totp", t.base))
        .form(&[("code", right.as_str())])
        .send()
        .await
        .unwrap();
    assert_ne!(
        res.headers().get("location").map(|l| l.to_str().unwrap()),
        Some("/"),
        "the right code after the burst does not log in"
    );
}

fn no_second_factor() -> Security {
    Security {
        admin_totp_required: false,
        ..Security::default()
    }
}

#[tokio::test]
async fn the_security_administrator_keeps_to_admin_roles_and_no_admin_resets_an_admin() {
    let t = TestApp::spawn_with("secadminhalf", no_second_factor()).await;
    let sec = t.browser("demo_secadmin", DEMO_PASSWORD).await;
    let grid = t.user_id("demo_grid").await;
    let row = &t
        .rows(&format!(
            "SELECT display_name, agency_id, version FROM app_user WHERE id = '{grid}'"
        ))
        .await[0];
    let before = t.snapshot().await;
    // Renaming a business user is the system administrator's half.
    let res = sec
        .post(format!("{}/admin/users/{grid}", t.base))
        .form(&[
            ("display_name", "改名"),
            ("agency_id", row[1].as_str()),
            ("roles", "grid_worker"),
            ("active", "on"),
            ("version", row[2].as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("安全管理员只能授予或收回管理员角色")
    );
    // Another administrator's password and second factor are reset on the command line only.
    let auditor = t.user_id("demo_auditor").await;
    for action in ["reset-password", "reset-totp"] {
        let res = sec
            .post(format!("{}/admin/users/{auditor}/{action}", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{action}");
        assert!(
            res.text().await.unwrap().contains("gongzhi admin reset-password"),
            "{action}"
        );
    }
    assert_eq!(t.snapshot().await, before, "nobody was changed");
    // A business user's password is the security administrator's to reset.
    let res = sec
        .post(format!("{}/admin/users/{grid}/reset-password", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("临时密码"));
}

#[tokio::test]
async fn the_security_administrator_sees_lockouts_and_lifts_one() {
    let t = TestApp::spawn_with("lockouts", no_second_factor()).await;
    let c = t.client();
    for _ in 0..5 {
        c.post(format!("{}/login", t.base))
            .form(&[("username", "demo_grid"), ("password", "wrong")])
            .send()
            .await
            .unwrap();
    }
    let sec = t.browser("demo_secadmin", DEMO_PASSWORD).await;
    let page = sec
        .get(format!("{}/admin/lockouts", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<code>demo_grid</code>"), "the account is listed");
    assert!(page.contains("value=\"login:demo_grid\""));
    // Somebody else may not lift it.
    let reception = t.browser("demo_reception", DEMO_PASSWORD).await;
    let res = reception
        .post(format!("{}/admin/lockouts/lift", t.base))
        .form(&[("bucket", "login:demo_grid")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = sec
        .post(format!("{}/admin/lockouts/lift", t.base))
        .form(&[("bucket", "login:demo_grid")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/admin/lockouts?ok=lockout-lifted");
    t.browser("demo_grid", DEMO_PASSWORD).await;
    // Lifting what is not locked (any more) changes and audits nothing.
    for bucket in ["login:demo_grid", "%", &"x".repeat(100_000)] {
        let res = sec
            .post(format!("{}/admin/lockouts/lift", t.base))
            .form(&[("bucket", bucket)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/admin/lockouts?ok=lockout-gone");
    }
    let lifted = t
        .rows("SELECT principal FROM audit_event WHERE action = 'lockout.lift'")
        .await;
    assert_eq!(lifted.len(), 1, "the one lift is audited");
}

#[tokio::test]
async fn a_megabyte_user_name_leaves_a_few_bytes_in_the_throttle_and_the_audit_trail() {
    let t = TestApp::spawn("longname").await;
    let name = "a".repeat(1024 * 1024);
    for _ in 0..3 {
        let res = t
            .client()
            .post(format!("{}/login", t.base))
            .form(&[("username", name.as_str()), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    let kept = t
        .rows("SELECT MAX(LENGTH(target_id)), COUNT(*) FROM audit_event WHERE action = 'login'")
        .await;
    assert_eq!(
        kept[0],
        vec!["64", "3"],
        "each attempt audited, the name cut to 64"
    );
    let buckets = t.rows("SELECT MAX(LENGTH(bucket)) FROM auth_throttle").await;
    assert!(buckets[0][0].parse::<usize>().unwrap() <= 80, "{buckets:?}");
}
