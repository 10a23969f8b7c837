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
