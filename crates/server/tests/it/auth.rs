use gongzhi_app::Security;
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};

#[tokio::test]
async fn five_failures_lock_the_account_with_the_unlock_time_and_one_generic_message() {
    let t = TestApp::spawn("lockout").await;
    let c = t.client();
    for i in 0..5 {
        let res = c
            .post(format!("{}/login", t.base))
            .form(&[("username", "demo_grid"), ("password", "wrong")])
            .send()
            .await
            .unwrap();
        let body = res.text().await.unwrap();
        if i < 4 {
            assert!(body.contains("用户名或密码错误"), "attempt {i}");
        } else {
            assert!(body.contains("账户已被锁定"), "fifth failure locks");
        }
    }
    // Even the right password is refused while locked.
    let res = c
        .post(format!("{}/login", t.base))
        .form(&[("username", "demo_grid"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    // Unknown names answer exactly like known ones.
    let res = c
        .post(format!("{}/login", t.base))
        .form(&[("username", "nobody"), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("用户名或密码错误"));
}

#[tokio::test]
async fn api_errors_have_the_json_shape_and_limits_hold() {
    let t = TestApp::spawn("apierrors").await;
    let c = t.client();
    let res = c
        .post(format!("{}/api/v1/auth/login", t.base))
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["code"], "bad_request");
    let big = vec![b'a'; gongzhi_web::MAX_BODY + 10];
    let res = c
        .post(format!("{}/api/v1/auth/login", t.base))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let res = c.get(format!("{}/no/such/page", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("页面不存在"));
    let res = c.get(format!("{}/api/v1/users", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["code"],
        "unauthenticated"
    );
    let spec = c
        .get(format!("{}/api/openapi.json", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(spec.contains("/api/v1/auth/login"));
    assert_eq!(
        c.get(format!("{}/readyz", t.base)).send().await.unwrap().status(),
        200
    );
    assert!(
        c.get(format!("{}/metrics", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("gongzhi_http_requests_total")
    );
}

#[tokio::test]
async fn a_new_user_must_change_the_first_password_and_tokens_are_revocable() {
    let t = TestApp::spawn("firstlogin").await;
    let admin = t.token("demo_grid").await;
    let c = t.client();
    // A bearer token works, and stops working after logout.
    let me = c
        .get(format!("{}/api/v1/me", t.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    c.post(format!("{}/api/v1/auth/logout", t.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.get(format!("{}/api/v1/me", t.base))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // Admin roles need TOTP; turn it off here to exercise creation through the UI.
    let t = TestApp::spawn_with(
        "firstlogin2",
        Security {
            admin_totp_required: false,
            ..Security::default()
        },
    )
    .await;
    let sys = t.browser("demo_sysadmin", DEMO_PASSWORD).await;
    let agencies: serde_json::Value = t
        .client()
        .get(format!("{}/api/v1/agencies?q=GZ-FY", t.base))
        .bearer_auth(t.token("demo_grid").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let court = agencies[0]["id"].as_str().unwrap().to_owned();
    // A bad field comes back marked, with what was typed kept.
    let res = sys
        .post(format!("{}/admin/users", t.base))
        .form(&[
            ("username", "X"),
            ("display_name", "王法官"),
            ("agency_id", court.as_str()),
            ("roles", "prosecutor"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("王法官") && body.contains("is-invalid") && body.contains("与所属单位类型不符"));
    let res = sys
        .post(format!("{}/admin/users", t.base))
        .form(&[
            ("username", "wangfg"),
            ("display_name", "王法官"),
            ("agency_id", court.as_str()),
            ("roles", "partner_handler"),
            ("password", "Court#2026a"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let u = t.browser("wangfg", "Court#2026a").await;
    let res = u.get(format!("{}/", t.base)).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/account/password");
    let res = u
        .post(format!("{}/account/password", t.base))
        .form(&[("current", "Court#2026a"), ("new", "short"), ("confirm", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = u
        .post(format!("{}/account/password", t.base))
        .form(&[
            ("current", "Court#2026a"),
            ("new", "Better#2026b"),
            ("confirm", "Better#2026b"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        u.get(format!("{}/admin/roster", t.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        u.get(format!("{}/admin/users", t.base))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}
