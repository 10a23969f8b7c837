//! TestApp: a real gongzhi server on port 0, on a fresh SQLite file or (with `TEST_DATABASE_URL`)
//! a fresh PostgreSQL database, with demo data and helpers to log in.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support"
)]

use gongzhi_app::store::{Db, DbOptions, FieldCipher};
use gongzhi_app::{App, Security};

pub const DEMO_PASSWORD: &str = "Demo@2026gz";

pub struct TestApp {
    pub app: App,
    pub base: String,
    pub url: String,
    _dir: Option<std::path::PathBuf>,
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

    pub async fn spawn_with(name: &str, security: Security) -> Self {
        let url = fresh_database(name).await;
        let db = Db::connect(&DbOptions {
            url: url.clone(),
            max_connections: 8,
            connect_timeout: std::time::Duration::from_secs(10),
        })
        .await
        .unwrap();
        db.migrate().await.unwrap();
        let cipher = FieldCipher::new("k1", [9; 16], &[7; 16]).unwrap();
        let app = App::new(db, cipher, security).unwrap();
        app.seed_demo().await.unwrap();
        let state = gongzhi_web::AppState {
            app: app.clone(),
            metrics: gongzhi_web::Metrics::new(),
            secure_cookies: false,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(gongzhi_web::serve(listener, gongzhi_web::router(state)));
        Self {
            app,
            base,
            url,
            _dir: None,
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
