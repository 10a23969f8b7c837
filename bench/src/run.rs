//! The runner: each operation as a user gets it — through the running server's API, signed in as
//! the district's chief prosecutor (who sees every case, the widest scope) — next to the same
//! query in raw SQL on the same database in the same run, and the ratio between them.

use std::path::Path;
use std::time::{Duration, Instant};

use gongzhi_domain::search::Query;
use serde_json::{Value, json};
use sqlx::{AnyConnection, Connection};

use crate::generate::Rng;

pub struct Opts<'a> {
    /// The server, `http://127.0.0.1:8099`.
    pub base: &'a str,
    /// Its database, for the raw SQL.
    pub db: &'a str,
    pub rounds: usize,
    /// The `gongzhi` binary, for the deadline sweep (run as the server runs it, with the same
    /// environment).
    pub gongzhi: &'a Path,
    /// The server's process, for its resident memory.
    pub pid: Option<u32>,
}

pub(crate) type Res<T> = Result<T, String>;

pub(crate) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub(crate) struct Row {
    pub what: String,
    pub ours: Vec<Duration>,
    pub raw: Vec<Duration>,
}

impl Row {
    pub fn new(what: &str) -> Self {
        Row {
            what: what.to_owned(),
            ours: Vec::new(),
            raw: Vec::new(),
        }
    }
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    if v.is_empty() {
        return Duration::ZERO;
    }
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

pub(crate) struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    pub(crate) async fn get(&self, path: &str) -> Res<Value> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(err)?;
        if !r.status().is_success() {
            return Err(format!("GET {path}: {}", r.status()));
        }
        r.json().await.map_err(err)
    }

    async fn post(&self, path: &str, body: &Value) -> Res<Value> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(err)?;
        if !r.status().is_success() {
            return Err(format!(
                "POST {path}: {} {}",
                r.status(),
                r.text().await.unwrap_or_default()
            ));
        }
        r.json().await.map_err(err)
    }
}

pub(crate) async fn timed<F, T>(f: F) -> Res<Duration>
where
    F: std::future::Future<Output = Res<T>>,
{
    let t = Instant::now();
    f.await?;
    Ok(t.elapsed())
}

fn search_path(q: &str) -> Res<String> {
    let url = reqwest::Url::parse_with_params("http://x/api/v1/search", [("q", q)]).map_err(err)?;
    Ok(format!("/api/v1/search?{}", url.query().unwrap_or_default()))
}

/// The raw-SQL match count and first page, as a hand-written query would do it.
async fn raw_search(conn: &mut AnyConnection, q: &str, pg: bool) -> Res<()> {
    let expr = gongzhi_store::search::expression(&Query::parse(q).map_err(|e| format!("{e:?}"))?, pg);
    let (count, page) = if pg {
        (
            "SELECT COUNT(*) FROM (SELECT 1 FROM search_doc WHERE tsv @@ CAST($1 AS tsquery) LIMIT 10001) x",
            "SELECT entity_id, title FROM search_doc WHERE tsv @@ CAST($1 AS tsquery) \
             ORDER BY ts_rank(tsv, CAST($1 AS tsquery)) DESC LIMIT 20",
        )
    } else {
        (
            "SELECT COUNT(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH $1 LIMIT 10001) x",
            "SELECT d.entity_id, d.title FROM search_fts f JOIN search_doc d ON d.seq = f.rowid \
             WHERE search_fts MATCH $1 ORDER BY bm25(search_fts) LIMIT 20",
        )
    };
    sqlx::query_as::<_, (i64,)>(count)
        .bind(&expr)
        .fetch_one(&mut *conn)
        .await
        .map_err(err)?;
    sqlx::query(page)
        .bind(&expr)
        .fetch_all(&mut *conn)
        .await
        .map_err(err)?;
    Ok(())
}

fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Runs every operation and prints the table.
pub async fn run(o: &Opts<'_>) -> Res<()> {
    let pg = o.db.starts_with("postgres");
    let mut conn = AnyConnection::connect(o.db).await.map_err(err)?;
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{}/api/v1/auth/login", o.base))
        .json(&json!({"username": "demo_chief", "password": "Demo@2026gz"}))
        .send()
        .await
        .map_err(err)?
        .json()
        .await
        .map_err(err)?;
    let token = login["token"]
        .as_str()
        .ok_or(format!("no token: {login}"))?
        .to_owned();
    let c = Client {
        http,
        base: o.base.to_owned(),
        token,
    };
    let (cases,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dispute_case")
        .fetch_one(&mut conn)
        .await
        .map_err(err)?;
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM dispute_case ORDER BY received_at DESC LIMIT 5000")
            .fetch_all(&mut conn)
            .await
            .map_err(err)?;
    let mut rng = Rng::new(7);
    let mut rows = Vec::new();

    // The case list, first page, as it opens.
    let mut row = Row {
        what: "case list (first page, with count)".into(),
        ours: vec![],
        raw: vec![],
    };
    for _ in 0..o.rounds {
        row.ours.push(timed(c.get("/api/v1/cases?limit=20")).await?);
        row.raw.push(
            timed(async {
                sqlx::query(
                    "SELECT id, number, title, status, received_at FROM dispute_case \
                     ORDER BY urgent DESC, received_at DESC LIMIT 20",
                )
                .fetch_all(&mut conn)
                .await
                .map_err(err)?;
                sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM dispute_case")
                    .fetch_one(&mut conn)
                    .await
                    .map_err(err)
            })
            .await?,
        );
    }
    rows.push(row);

    // The case page of a recent case.
    let mut row = Row {
        what: "case page".into(),
        ours: vec![],
        raw: vec![],
    };
    for _ in 0..o.rounds {
        let (id,) = rng.pick(&ids).clone();
        row.ours.push(timed(c.get(&format!("/api/v1/cases/{id}"))).await?);
        row.raw.push(
            timed(async {
                for sql in [
                    "SELECT * FROM dispute_case WHERE id = $1",
                    "SELECT * FROM case_party WHERE case_id = $1",
                    "SELECT * FROM case_clock WHERE case_id = $1",
                    "SELECT * FROM case_event WHERE case_id = $1 ORDER BY at DESC LIMIT 100",
                ] {
                    sqlx::query(sql)
                        .bind(&id)
                        .fetch_all(&mut conn)
                        .await
                        .map_err(err)?;
                }
                Ok::<_, String>(())
            })
            .await?,
        );
    }
    rows.push(row);

    // Search: a two- and a four-character word, a name and its pinyin.
    for q in ["土地", "拖欠工资", "王建国", "wangjianguo"] {
        let mut row = Row {
            what: format!("search「{q}」"),
            ours: vec![],
            raw: vec![],
        };
        for _ in 0..o.rounds {
            row.ours.push(timed(c.get(&search_path(q)?)).await?);
            row.raw.push(timed(raw_search(&mut conn, q, pg)).await?);
        }
        let hits = c.get(&search_path(q)?).await?;
        row.what = format!("{} — {} hits", row.what, hits["total"]);
        rows.push(row);
    }

    // Intake: a new petition registered through the API, next to inserting its row and party.
    let (village,): (String,) =
        sqlx::query_as("SELECT id FROM org_unit WHERE level = 'village' ORDER BY code LIMIT 1")
            .fetch_one(&mut conn)
            .await
            .map_err(err)?;
    let mut row = Row {
        what: "intake (register a petition)".into(),
        ours: vec![],
        raw: vec![],
    };
    // The raw side: one row of the case's size inserted and committed, in a table of its own.
    sqlx::query("CREATE TABLE bench_intake (id TEXT PRIMARY KEY, title TEXT, narrative TEXT, name TEXT, received_at BIGINT)")
        .execute(&mut conn)
        .await
        .map_err(err)?;
    let now = chrono::Utc::now() + chrono::Duration::hours(8);
    for i in 0..o.rounds.min(100) {
        let body = json!({"kind": "petition", "channel": "visit", "category": "LABOUR", "place_id": village,
            "title": format!("基准测试登记{i}"), "narrative": "农民工反映工程完工后包工头拖欠工资，多次讨要未果。",
            "received_at": now.format("%Y-%m-%d %H:%M").to_string(),
            "parties": [{"role": "petitioner", "name": "测试人", "phone": "13900000000"}]});
        row.ours.push(timed(c.post("/api/v1/cases", &body)).await?);
        let id = format!("bench-raw-{i}-{}", rng.next());
        row.raw.push(
            timed(async {
                let mut tx = conn.begin().await.map_err(err)?;
                sqlx::query("INSERT INTO bench_intake VALUES ($1, '基准测试登记', '农民工反映工程完工后包工头拖欠工资，多次讨要未果。', '测试人', 0)")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                tx.commit().await.map_err(err)
            })
            .await?,
        );
    }
    rows.push(row);
    sqlx::query("DROP TABLE bench_intake")
        .execute(&mut conn)
        .await
        .map_err(err)?;

    eprintln!("measured: case list, case page, search, intake");
    rows.extend(crate::figures::rows(&c, &mut conn, o.rounds).await?);
    eprintln!("measured: dashboard, statistical return");

    // The overdue sweep, as the scheduler runs it.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let mut row = Row {
        what: "deadline sweep (whole district)".into(),
        ours: vec![],
        raw: vec![],
    };
    for _ in 0..3 {
        let out = std::process::Command::new(o.gongzhi)
            .arg("sweep")
            .output()
            .map_err(err)?;
        let text = String::from_utf8_lossy(&out.stdout);
        let ms: f64 = text
            .rsplit(" in ")
            .next()
            .and_then(|t| t.trim().trim_end_matches("ms").trim().parse().ok())
            .ok_or(format!(
                "sweep said: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            ))?;
        row.ours.push(Duration::from_secs_f64(ms / 1000.0));
        row.raw.push(
            timed(async {
                sqlx::query("SELECT id, case_id, due_date FROM case_clock WHERE state IN ('running', 'due_soon', 'overdue') \
                     AND due_date <= $1")
                    .bind((today + chrono::Duration::days(14)).to_string())
                    .fetch_all(&mut conn)
                    .await
                    .map_err(err)
            })
            .await?,
        );
    }
    rows.push(row);

    println!(
        "{} cases on {}; {} rounds each\n",
        cases,
        if pg { "PostgreSQL" } else { "SQLite" },
        o.rounds
    );
    println!("| operation | gongzhi p50 ms | gongzhi p99 ms | raw SQL p50 ms | raw SQL p99 ms | p50 ratio |");
    println!("|---|---:|---:|---:|---:|---:|");
    for mut r in rows {
        let (o50, o99) = (pct(&mut r.ours, 0.5), pct(&mut r.ours, 0.99));
        let (r50, r99) = (pct(&mut r.raw, 0.5), pct(&mut r.raw, 0.99));
        let ratio = o50.as_secs_f64() / r50.as_secs_f64().max(1e-6);
        println!(
            "| {} | {} | {} | {} | {} | {ratio:.1}× |",
            r.what,
            ms(o50),
            ms(o99),
            ms(r50),
            ms(r99)
        );
    }
    if let Some(mb) = o.pid.and_then(rss_mb) {
        println!("\nserver resident memory after the run: {mb:.0} MB");
    }
    Ok(())
}
