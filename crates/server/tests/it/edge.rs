//! The edge: one error shape whatever layer answers, honest readiness, 503 while the database is
//! away, a SQLite that never answers busy under 32 writers, and sessions that time out on time.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use gongzhi_app::Security;
use gongzhi_test_support::{DEMO_PASSWORD, TestApp, fresh_database, pg_admin};
use serde_json::{Value, json};

#[tokio::test]
async fn every_error_has_its_surface_shape_whatever_layer_answers() {
    let t = TestApp::spawn("shapes").await;
    let c = t.client();
    // A body over the limit, announced by Content-Length: the body limit answers before any handler.
    let big = vec![b'a'; gongzhi_web::MAX_BODY + 10];
    for (path, json_array) in [("/api/v1/auth/login", false), ("/open311/v2/requests.json", true)] {
        let res = c
            .post(format!("{}{path}", t.base))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413, "{path}");
        let v: Value = res.json().await.unwrap();
        if json_array {
            assert_eq!(v[0]["code"], 413);
        } else {
            assert_eq!(v["code"], "too_large");
            assert!(v["message"].as_str().unwrap().contains("过大"));
        }
    }
    let token = t.token("demo_reception").await;
    // A malformed id in the path, a method the route lacks, a bad query value.
    for (method, path, status) in [
        ("GET", "/api/v1/cases/not-a-uuid", 400),
        ("DELETE", "/api/v1/cases", 405),
        ("GET", "/api/v1/cases?limit=many", 400),
    ] {
        let res = c
            .request(method.parse().unwrap(), format!("{}{path}", t.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), status, "{method} {path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let v: Value = res.json().await.unwrap();
        assert!(v["code"].is_string() && v["message"].is_string(), "{v}");
    }
    // The same on pages answers with a Chinese page.
    let browser = t.browser("demo_reception", DEMO_PASSWORD).await;
    let res = browser
        .get(format!("{}/cases/not-a-uuid", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(res.text().await.unwrap().contains("请求有误"));
    let res = browser.delete(format!("{}/inbox", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.text().await.unwrap().contains("不支持"));
    // A cross-site form post is refused with a page, not bare text.
    let res = reqwest::Client::new()
        .post(format!("{}/cases", t.base))
        .header("cookie", "gz_session=x")
        .header("origin", "https://evil.example")
        .form(&[("title", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn bodies_are_read_and_checked_as_what_they_declare_and_redirects_stay_on_the_site() {
    let t = TestApp::spawn("claims").await;
    let place = t.org_id("620702104201").await;
    let token = t.token("demo_reception").await;
    let browser = t.browser("demo_reception", DEMO_PASSWORD).await;
    let before = t.snapshot().await;
    // A body is read only as what its Content-Type declares, so the check by that type is the
    // check of what is read: JSON declared as text, a form declared as text, a form or JSON declared
    // as multipart, a real multipart smuggling a form in a file — none reaches a handler.
    let case = json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED",
        "place_id": place, "title": "标题\u{0}", "narrative": "内容",
        "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
        "parties": [{"role": "petitioner", "name": "王建国"}]});
    let raw = |path: &str, content_type: &str, body: String| {
        let req = t
            .client()
            .post(format!("{}{path}", t.base))
            .bearer_auth(&token)
            .header("content-type", content_type.to_owned())
            .body(body);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    };
    let (s, body) = raw("/api/v1/cases", "text/plain", case.to_string()).await;
    assert_eq!(s, 415, "{body}");
    assert!(body.contains("unsupported_media_type"));
    let (s, body) = raw(
        "/api/v1/cases",
        "multipart/form-data; boundary=x",
        case.to_string(),
    )
    .await;
    assert_eq!(s, 400, "{body}");
    assert!(body.contains("与其声明的格式不符"));
    let login = "username=evil%00%E2%80%AEuser&password=x".to_owned();
    for content_type in ["text/plain", "application/json"] {
        let (s, _) = raw("/login", content_type, login.clone()).await;
        assert!(s == 415 || s == 400, "{content_type}: {s}");
    }
    let (s, _) = raw("/login", "multipart/form-data; boundary=x", login.clone()).await;
    assert_eq!(s, 400);
    let smuggled = reqwest::multipart::Form::new().part(
        "f",
        reqwest::multipart::Part::bytes(format!("&{login}&").into_bytes()).file_name("a.txt"),
    );
    let res = t
        .client()
        .post(format!("{}/login", t.base))
        .multipart(smuggled)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert!(res.text().await.unwrap().contains("不支持这种内容格式"));
    // JSON nested deeper than the check parses is refused, not handed to a lenient reader.
    let deep = format!(
        r#"{{"title":"深层\u0000嵌套","narrative":"x","category":"LAW_RELATED","version":1,"x":{}{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let (s, _) = raw(
        "/api/v1/cases/01900000-0000-7000-8000-000000000000",
        "application/json",
        deep,
    )
    .await;
    assert_eq!(s, 400);
    // C1 controls and non-characters are refused like NUL, with the field named in Chinese.
    let mut c1 = case.clone();
    c1["title"] = json!("标题\u{9b}31m");
    let (s, body) = raw("/api/v1/cases", "application/json", c1.to_string()).await;
    assert_eq!(s, 422, "{body}");
    let mut nonchar = case.clone();
    nonchar["title"] = json!("标题");
    nonchar["parties"][0]["name"] = json!("王\u{fdd0}");
    let (s, body) = raw("/api/v1/cases", "application/json", nonchar.to_string()).await;
    assert_eq!(s, 422, "{body}");
    assert!(body.contains("当事人 1 · 姓名"), "{body}");
    let res = t
        .client()
        .post(format!("{}/portal/track", t.base))
        .form(&[("code", "ABCDEFGHJK"), ("last4", "12\u{0}4")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("“手机号后四位”"));
    // Multipart over axum's 2 MB default for the extractor: the text fields are still checked.
    let form = reqwest::multipart::Form::new()
        .text("kind", "petition")
        .text("place_id", place.clone())
        .text("title", "来信\u{0}")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(vec![b'%'; 3 * 1024 * 1024]).file_name("a.pdf"),
        );
    let res = browser
        .post(format!("{}/cases", t.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("U+0000"));
    assert_eq!(t.snapshot().await, before, "nothing stored");

    // After logging in, and after switching language: back to this site only.
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
    ] {
        let c = t.client();
        let res = c
            .post(format!("{}/login", t.base))
            .form(&[
                ("username", "demo_grid"),
                ("password", DEMO_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/", "{next}");
    }
    let res = t
        .client()
        .post(format!("{}/login", t.base))
        .form(&[
            ("username", "demo_grid"),
            ("password", DEMO_PASSWORD),
            ("next", "/inbox?page=2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/inbox?page=2");
    let host = t.base.trim_start_matches("http://").to_owned();
    for (referer, back) in [
        ("https://evil.example/cases".to_owned(), "/"),
        (format!("http://{host}.evil.example/cases"), "/"),
        (format!("http://{host}/cases?q=1"), "/cases?q=1"),
    ] {
        let res = t
            .client()
            .get(format!("{}/lang/en", t.base))
            .header("referer", &referer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], back, "{referer}");
    }

    // Pages and the API stay out of caches; assets may be cached.
    for path in ["/cases", "/portal/track"] {
        let res = browser.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let res = t
        .client()
        .get(format!("{}/api/v1/cases", t.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let res = t
        .client()
        .get(format!("{}/assets/app.css", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=86400");
}

#[tokio::test]
async fn the_openapi_document_declares_every_parameter_where_it_is() {
    let t = TestApp::spawn("openapi").await;
    let spec: Value = t
        .client()
        .get(format!("{}/api/openapi.json", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    p["in"] == "path",
                    in_path,
                    "{method} {path}: {name} is declared in {}",
                    p["in"]
                );
                if p["in"] == "query" {
                    assert_ne!(p["required"], true, "{method} {path}: {name} is optional");
                }
                checked += 1;
            }
        }
    }
    let cases = &spec["paths"]["/api/v1/cases"]["get"]["parameters"];
    assert!(
        cases
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "q" && p["in"] == "query"),
        "{cases}"
    );
    assert!(checked > 10, "{checked} parameters");
}

#[tokio::test]
async fn readiness_needs_the_schema_and_the_api_answers_503_while_the_database_is_away() {
    // An empty database: the probe says not ready (it creates nothing).
    let url = fresh_database("unmigrated").await;
    let db = gongzhi_store::Db::connect(&gongzhi_store::DbOptions {
        url: url.clone(),
        max_connections: 2,
        connect_timeout: std::time::Duration::from_secs(2),
    })
    .await
    .unwrap();
    let (app, _system) = gongzhi_app::App::new(
        db,
        gongzhi_test_support::test_cipher(),
        Security::default(),
        Default::default(),
    )
    .unwrap();
    assert!(matches!(
        app.readiness().await,
        Err(gongzhi_app::AppError::Unavailable)
    ));

    let t = TestApp::spawn("away").await;
    let c = t.client();
    assert_eq!(
        c.get(format!("{}/readyz", t.base)).send().await.unwrap().status(),
        200
    );
    if !t.url.starts_with("postgres") {
        return;
    }
    let token = t.token("demo_grid").await;
    let browser = t.browser("demo_grid", DEMO_PASSWORD).await;
    // PostgreSQL: refuse new connections to the database and end the open ones.
    let db_name = t.url.rsplit('/').next().unwrap().to_owned();
    pg_admin(&[
        format!("ALTER DATABASE {db_name} ALLOW_CONNECTIONS false"),
        format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db_name}'"),
    ])
    .await;
    let res = c
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"username": "demo_grid", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "unavailable");
    // Signed in, the session cannot be looked up: the same 503, not a 401 or a trip to the login.
    let res = c
        .get(format!("{}/api/v1/cases", t.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "unavailable");
    let res = browser.get(format!("{}/inbox", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("服务暂时不可用"));
    assert_eq!(
        c.get(format!("{}/readyz", t.base)).send().await.unwrap().status(),
        503
    );
    pg_admin(&[format!("ALTER DATABASE {db_name} ALLOW_CONNECTIONS true")]).await;
    // Back: the next request is served again.
    let mut back = false;
    for _ in 0..20 {
        if c.get(format!("{}/readyz", t.base)).send().await.unwrap().status() == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(back, "ready again once the database is");
}

/// 32 clients registering cases (with searches and look-ups between) for a while: no answer is a
/// 5xx. SQLite's writers queue for the write lock instead of failing with SQLITE_BUSY.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_writers_never_see_a_server_error() {
    let t = TestApp::spawn("writers").await;
    let seconds = if t.url.starts_with("sqlite") { 60 } else { 15 };
    let place = t.org_id("620702104201").await;
    let tokens: Vec<String> = {
        let mut v = Vec::new();
        for user in [
            "demo_reception",
            "demo_prosecutor",
            "demo_chief",
            "demo_assistant",
        ] {
            v.push(t.token(user).await);
        }
        v
    };
    let errors = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..32 {
        let (base, token, place) = (t.base.clone(), tokens[w % tokens.len()].clone(), place.clone());
        let (errors, done, client) = (errors.clone(), done.clone(), t.client());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while std::time::Instant::now() < until {
                i += 1;
                let res = if i.is_multiple_of(10) {
                    client
                        .get(format!("{base}/api/v1/cases?q=执行"))
                        .bearer_auth(&token)
                        .send()
                        .await
                } else if i.is_multiple_of(25) {
                    client
                        .post(format!("{base}/portal/track"))
                        .form(&[("code", "ABCDEFGHJK"), ("last4", "0000")])
                        .send()
                        .await
                } else {
                    client
                        .post(format!("{base}/api/v1/cases"))
                        .bearer_auth(&token)
                        .header("idempotency-key", format!("w{w}-{i}"))
                        .json(&json!({"kind": "dispute", "channel": "visit", "category": "NEIGHBOUR", "place_id": place,
                            "title": "邻里纠纷", "narrative": "邻居占道。",
                            "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
                            "parties": [{"role": "petitioner", "name": "王芳", "phone": "13709361234"}]}))
                        .send()
                        .await
                };
                match res {
                    Ok(r) if r.status().is_server_error() => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("{}: {}", r.status(), r.text().await.unwrap_or_default());
                    }
                    Ok(_) => {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => panic!("request failed: {e}"),
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let served = done.load(Ordering::Relaxed);
    eprintln!("32 writers for {seconds} s: {served} answers");
    assert_eq!(
        errors.load(Ordering::Relaxed),
        0,
        "server errors among {served} answers"
    );
    assert!(served > 1000, "the load ran ({served} answers)");
}

#[tokio::test]
async fn the_session_cookie_is_secure_behind_https_and_idle_time_counts_from_the_last_request() {
    let t = TestApp::spawn_with(
        "cookie",
        Security {
            idle_timeout: chrono::Duration::seconds(8),
            ..Security::default()
        },
    )
    .await;
    let c = t.client();
    let res = c
        .post(format!("{}/login", t.base))
        .header("x-forwarded-proto", "https")
        .form(&[("username", "demo_grid"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let plain = t.browser("demo_grid", DEMO_PASSWORD).await;
    // Active every 5.5 s for 16.5 s: past the 8-second idle limit counted from login, not from
    // the last request, and still signed in.
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(5_500)).await;
        let res = plain.get(format!("{}/inbox", t.base)).send().await.unwrap();
        assert_eq!(res.status(), 200, "still signed in while active");
    }
    tokio::time::sleep(std::time::Duration::from_secs(9)).await;
    let res = plain.get(format!("{}/inbox", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 303, "idle past the limit: signed out");
}
