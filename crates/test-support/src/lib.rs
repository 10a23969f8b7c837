//! TestApp: a real gongzhi server on port 0, on a fresh SQLite file or (with `TEST_DATABASE_URL`)
//! a fresh PostgreSQL database, with demo data and helpers to log in.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support"
)]

use gongzhi_app::auth::{LoginInput, Resolved};
use gongzhi_app::{App, Ctx, Security, System};
use gongzhi_store::sessions::Kind;
use gongzhi_store::{Db, DbOptions, FieldCipher};

pub const DEMO_PASSWORD: &str = "Demo@2026gz";

pub struct TestApp {
    pub app: App,
    /// What the binary holds to act as the system (jobs, command line); the server never sees it.
    pub system: System,
    /// The application's own connection pool (and SQLite write gate), for checks on stored rows.
    pub db: Db,
    pub cipher: FieldCipher,
    pub base: String,
    pub url: String,
}

/// The field-encryption keys of every test server, so that a second server can share a database.
pub fn test_cipher() -> FieldCipher {
    FieldCipher::new("k1", [9; 16], &[7; 16]).unwrap()
}

/// Another application (a second server) on the same database.
pub async fn second_app(url: &str, security: Security) -> (App, System) {
    let db = Db::connect(&DbOptions {
        url: url.to_owned(),
        max_connections: 4,
        connect_timeout: std::time::Duration::from_secs(10),
    })
    .await
    .unwrap();
    App::new(db, test_cipher(), security, Default::default()).unwrap()
}

/// The database kinds the suite runs on: SQLite always, PostgreSQL when configured.
pub fn database_url(name: &str) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let db = format!("gz_{}_{}", name, std::process::id());
            let (server, _) = base.rsplit_once('/').unwrap();
            format!("{server}/{db}")
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("gongzhi-test-{}-{}", std::process::id(), name));
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}/gongzhi.db", dir.display())
        }
    }
}

/// The URL of a new, empty database for `name` (created on PostgreSQL, a new file on SQLite).
pub async fn fresh_database(name: &str) -> String {
    let url = database_url(name);
    if url.starts_with("postgres") {
        create_pg_database(&url).await;
    } else if let Some(path) = url.strip_prefix("sqlite://") {
        let _ = std::fs::remove_file(path);
    }
    url
}

async fn create_pg_database(url: &str) {
    use sqlx::Executor;
    let (_, db) = url.rsplit_once('/').unwrap();
    let admin = std::env::var("TEST_DATABASE_URL").unwrap();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    conn.execute(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)").as_str())
        .await
        .unwrap();
    conn.execute(format!("CREATE DATABASE {db}").as_str())
        .await
        .unwrap();
}

impl TestApp {
    pub async fn spawn(name: &str) -> Self {
        Self::spawn_with(name, Security::default()).await
    }

    /// A server whose administrators sign in without a second factor (for tests of admin work).
    pub async fn spawn_admin(name: &str) -> Self {
        Self::spawn_with(
            name,
            Security {
                admin_totp_required: false,
                ..Security::default()
            },
        )
        .await
    }

    pub async fn spawn_with(name: &str, security: Security) -> Self {
        let t = Self::open(fresh_database(name).await, security).await;
        t.app.seed_demo(&t.system_ctx()).await.unwrap();
        t
    }

    /// A server on an existing database, as a new release starts on it: migrated, nothing seeded.
    pub async fn open(url: String, security: Security) -> Self {
        Self::open_replicated(url, None, security).await
    }

    /// The same, with the reads that may lag sent to a PostgreSQL streaming replica.
    pub async fn open_replicated(url: String, read_url: Option<&str>, security: Security) -> Self {
        let mut db = Db::connect(&DbOptions {
            url: url.clone(),
            max_connections: 8,
            connect_timeout: std::time::Duration::from_secs(10),
        })
        .await
        .unwrap();
        db.migrate().await.unwrap();
        if let Some(read) = read_url {
            db = db
                .with_replica(read, 4, std::time::Duration::from_secs(10))
                .await
                .unwrap();
        }
        let cipher = test_cipher();
        let (app, system) = App::new(db.clone(), cipher.clone(), security, Default::default()).unwrap();
        let state = gongzhi_web::AppState {
            app: app.clone(),
            metrics: gongzhi_web::Metrics::new(),
            secure_cookies: false,
            trusted_proxies: Default::default(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(gongzhi_web::serve(listener, gongzhi_web::router(state)));
        Self {
            app,
            system,
            db,
            cipher,
            base,
            url,
        }
    }

    /// Acting as the system, as the command line and the jobs do.
    pub fn system_ctx(&self) -> Ctx {
        Ctx::system(&self.system, "test")
    }

    /// A signed-in context for a demo account, through a real login (API kind, so no second factor
    /// for accounts without one).
    pub async fn ctx(&self, username: &str) -> Ctx {
        let public = Ctx::public("test", "127.0.0.1");
        let done = self
            .app
            .login(
                &public,
                LoginInput {
                    username,
                    password: DEMO_PASSWORD,
                    totp: None,
                    kind: Kind::Api,
                    token_name: "test",
                    user_agent: "",
                },
            )
            .await
            .unwrap();
        match self.app.resolve(&done.token, Kind::Api).await.unwrap() {
            Resolved::Active(s) => Ctx::signed_in(&s, "test", "127.0.0.1"),
            other => panic!("no session for {username}: {other:?}"),
        }
    }

    /// A client that keeps cookies and sends the Origin header browsers send.
    pub fn client(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("origin", self.base.parse().unwrap());
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap()
    }

    /// Logs a browser in with a password (no second factor).
    pub async fn browser(&self, username: &str, password: &str) -> reqwest::Client {
        let c = self.client();
        let res = c
            .post(format!("{}/login", self.base))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "login of {username}");
        c
    }

    /// A page's HTML as a demo user sees it (signed in with the demo password).
    pub async fn page_text(&self, username: &str, path: &str) -> String {
        self.browser(username, DEMO_PASSWORD)
            .await
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn token(&self, username: &str) -> String {
        let res = self
            .client()
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({"username": username, "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "api login of {username}");
        res.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Tables whose rows record attempts rather than business: refused requests may add to them.
const BOOKKEEPING: &[&str] = &[
    "audit_event",
    "audit_chain",
    "auth_throttle",
    "portal_throttle",
    "captcha_used",
    // A refused portal form's files, held for its next try (two hours; bounded by the portal's
    // submission rate limit, and never held once it is reached).
    "held_upload",
    "job_lease",
    "gongzhi_lock",
    "schema_migration",
];

impl TestApp {
    /// Every business table's rows, each table reduced to a fingerprint of its sorted rows: two
    /// snapshots are equal exactly when no business row was added, changed or removed.
    pub async fn snapshot(&self) -> std::collections::BTreeMap<String, (usize, u64)> {
        use sqlx::Row;
        use std::hash::{Hash, Hasher};
        let pool = sqlx::AnyPool::connect(&self.url).await.unwrap();
        let sqlite = self.url.starts_with("sqlite");
        let tables: Vec<String> = if sqlite {
            sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        } else {
            sqlx::query(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
        }
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .filter(|t| !BOOKKEEPING.contains(&t.as_str()))
        .collect();
        let mut out = std::collections::BTreeMap::new();
        for table in tables {
            let sql = if sqlite {
                let cols: Vec<String> =
                    sqlx::query(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(&pool)
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| format!("quote(\"{}\")", r.get::<String, _>(0)))
                        .collect();
                format!("SELECT {} FROM \"{table}\"", cols.join(" || '|' || "))
            } else {
                format!("SELECT t::text FROM \"{table}\" t")
            };
            let mut rows: Vec<String> = sqlx::query(&sql)
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
            rows.sort();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            rows.hash(&mut h);
            out.insert(table, (rows.len(), h.finish()));
        }
        pool.close().await;
        out
    }

    /// The rows of one query, each row's columns as text (for checks on what was stored).
    pub async fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        use sqlx::Row;
        let pool = sqlx::AnyPool::connect(&self.url).await.unwrap();
        let rows = sqlx::query(sql).fetch_all(&pool).await.unwrap();
        let out = rows
            .iter()
            .map(|r| {
                (0..r.columns().len())
                    .map(|i| {
                        r.try_get::<String, _>(i)
                            .or_else(|_| r.try_get::<i64, _>(i).map(|n| n.to_string()))
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        pool.close().await;
        out
    }
}

/// A bearer-token client of the JSON API.
pub struct Api {
    pub c: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .c
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .c
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Uploads a small PDF to a case and gives the attachment's id.
    pub async fn attach_pdf(&self, case: &str, filename: &str) -> String {
        let pdf = reqwest::multipart::Form::new().part(
            "attachments",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 test".to_vec()).file_name(filename.to_owned()),
        );
        let r = self
            .c
            .post(format!("{}/api/v1/cases/{case}/attachments", self.base))
            .bearer_auth(&self.token)
            .multipart(pdf)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "upload {filename}");
        let (_, d) = self.get(&format!("/api/v1/cases/{case}")).await;
        d["attachments"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["filename"] == filename))
            .and_then(|x| x["id"].as_str())
            .unwrap_or_else(|| panic!("{filename} not on {d}"))
            .to_owned()
    }
}

impl TestApp {
    /// An API client logged in as a demo account.
    pub async fn api(&self, user: &str) -> Api {
        Api {
            c: self.client(),
            base: self.base.clone(),
            token: self.token(user).await,
        }
    }

    async fn id_where(&self, table: &str, column: &str, value: &str) -> String {
        let rows = self
            .rows(&format!(
                "SELECT id FROM {table} WHERE {column} = '{}'",
                value.replace('\'', "''")
            ))
            .await;
        rows.first().map(|r| r[0].clone()).unwrap_or_default()
    }

    /// The id of the org unit with this division code ("" if none).
    pub async fn org_id(&self, code: &str) -> String {
        self.id_where("org_unit", "code", code).await
    }

    pub async fn agency_id(&self, code: &str) -> String {
        self.id_where("agency", "code", code).await
    }

    pub async fn user_id(&self, username: &str) -> String {
        self.id_where("app_user", "username", username).await
    }
}

/// Runs statements on the PostgreSQL server of `TEST_DATABASE_URL` as its administrator (to take a
/// test database away and bring it back).
pub async fn pg_admin(statements: &[String]) {
    use sqlx::Executor;
    let admin = std::env::var("TEST_DATABASE_URL").unwrap();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    for s in statements {
        conn.execute(s.as_str()).await.unwrap();
    }
}
