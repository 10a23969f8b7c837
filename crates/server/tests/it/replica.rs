//! Issue 13 §8: with `database.read_url`, search, dashboards, returns and exports read from a
//! PostgreSQL streaming replica while writes stay on the primary, and a caller who has just
//! written reads from the primary (read-your-writes). The test starts a primary and a real
//! streaming replica of it (initdb, pg_basebackup -R) on ports of their own; it runs with the
//! PostgreSQL suite (`TEST_DATABASE_URL`), as the machine's own cluster allows no replication.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use gongzhi_app::Security;
use gongzhi_app::domain::time;
use gongzhi_test_support::TestApp;
use serde_json::json;
use sqlx::Connection;

/// The PostgreSQL server programs (Debian keeps them out of PATH).
fn pg_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

/// Runs a server program as the `postgres` user when the tests run as root (PostgreSQL refuses
/// to run as root).
fn pg(bin: &Path, program: &str, args: &[&str]) {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let path = bin.join(program);
    let out = if root {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&path)
            .args(args)
            .output()
    } else {
        Command::new(&path).args(args).output()
    }
    .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The two clusters, stopped and removed when the test ends however it ends.
struct Clusters {
    bin: PathBuf,
    dir: PathBuf,
}

impl Drop for Clusters {
    fn drop(&mut self) {
        for c in ["replica", "primary"] {
            let d = self.dir.join(c);
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"))
                .args(["-D", d.to_str().unwrap_or(""), "-m", "immediate", "stop"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

fn start(bin: &Path, dir: &Path, name: &str, port: u16) {
    let data = dir.join(name);
    let opts = format!("-p {port} -k {} -c listen_addresses=127.0.0.1", dir.display());
    let log = dir.join(format!("{name}.log"));
    pg(
        bin,
        "pg_ctl",
        &[
            "-D",
            data.to_str().unwrap(),
            "-o",
            &opts,
            "-l",
            log.to_str().unwrap(),
            "-w",
            "start",
        ],
    );
}

async fn execute(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query(sql).execute(&mut c).await.unwrap();
}

/// A GET, from the primary when `own_writes` asks for it.
async fn get(api: &gongzhi_test_support::Api, path: &str, own_writes: bool) -> serde_json::Value {
    let mut req = api.c.get(format!("{}{path}", api.base)).bearer_auth(&api.token);
    if own_writes {
        req = req.header("x-gongzhi-own-writes", "1");
    }
    req.send().await.unwrap().json().await.unwrap()
}

async fn hits(api: &gongzhi_test_support::Api, word: &str, own_writes: bool) -> i64 {
    let v = get(api, &format!("/api/v1/search?q={word}"), own_writes).await;
    v["total"].as_i64().unwrap_or_else(|| panic!("{v}"))
}

#[tokio::test]
async fn reads_that_may_lag_go_to_the_replica_and_a_writer_reads_its_own_writes() {
    if std::env::var("TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
        eprintln!("replica: runs with the PostgreSQL suite (TEST_DATABASE_URL)");
        return;
    }
    let bin = pg_bin().expect("the PostgreSQL server programs (postgresql package)");
    let dir = std::env::temp_dir().join(format!("gz-replica-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let _ = Command::new("chown")
        .args(["postgres:postgres", dir.to_str().unwrap()])
        .output();
    let clusters = Clusters {
        bin: bin.clone(),
        dir: dir.clone(),
    };
    let (p1, p2) = (free_port(), free_port());
    let primary_dir = dir.join("primary");
    // initdb's own pg_hba trusts replication from 127.0.0.1; wal_level is replica by default.
    pg(
        &bin,
        "initdb",
        &[
            "-D",
            primary_dir.to_str().unwrap(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ],
    );
    start(&bin, &dir, "primary", p1);
    let replica_dir = dir.join("replica");
    let p1s = p1.to_string();
    pg(
        &bin,
        "pg_basebackup",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &p1s,
            "-U",
            "postgres",
            "-D",
            replica_dir.to_str().unwrap(),
            "-R",
            "-X",
            "stream",
        ],
    );
    start(&bin, &dir, "replica", p2);
    let primary = format!("postgres://postgres@127.0.0.1:{p1}/gongzhi");
    let replica = format!("postgres://postgres@127.0.0.1:{p2}/gongzhi");
    execute(
        &format!("postgres://postgres@127.0.0.1:{p1}/postgres"),
        "CREATE DATABASE gongzhi",
    )
    .await;
    // The new database reaches the replica.
    let mut ready = false;
    for _ in 0..100 {
        if sqlx::AnyConnection::connect(&replica).await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the replica has the database");

    let t = TestApp::open_replicated(primary, Some(&replica), Security::default()).await;
    t.app.seed_demo(&t.system_ctx()).await.unwrap();
    let clerk = t.api("demo_reception").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let leader = t.api("demo_leader").await;
    // The seeded reference data reaches the replica.
    let mut caught_up = false;
    for _ in 0..100 {
        let mut r = sqlx::AnyConnection::connect(&replica).await.unwrap();
        let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM app_user WHERE username = 'demo_leader'")
            .fetch_one(&mut r)
            .await
            .unwrap();
        if n.0 == 1 {
            caught_up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(caught_up, "the replica replays the seed");

    // Replay paused: the replica stands still while the primary goes on.
    execute(
        &replica.replace("/gongzhi", "/postgres"),
        "SELECT pg_wal_replay_pause()",
    )
    .await;
    let village = t.org_id("620702104201").await;
    let (s, c) = clerk
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": village,
                "title": "反映灌渠渗漏", "narrative": "村民反映斗渠渗漏淹地，要求维修。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "马玉兰"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    // The clerk wrote: its client carries the mark, and reads what it wrote from the primary.
    assert_eq!(hits(&clerk, "灌渠渗漏", false).await, 1, "read-your-writes");
    // Someone who did not write reads the replica, which has not replayed the case yet …
    assert_eq!(
        hits(&prosecutor, "灌渠渗漏", false).await,
        0,
        "the search reads the replica"
    );
    // … unless asking for the primary. The dashboard alike.
    assert_eq!(hits(&prosecutor, "灌渠渗漏", true).await, 1);
    let lagging = get(&leader, "/api/v1/dashboard", false).await["received"]
        .as_i64()
        .unwrap();
    let current = get(&leader, "/api/v1/dashboard", true).await["received"]
        .as_i64()
        .unwrap();
    assert_eq!(current, lagging + 1, "the dashboard reads the replica");
    // Writes go to the primary whatever the replica does: a return is issued and read back.
    use chrono::Datelike;
    let month = time::local_date(chrono::Utc::now())
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .map(|d| d.format("%Y-%m").to_string())
        .unwrap();
    let (s, r) = leader.post("/api/v1/returns", json!({"period": month})).await;
    assert_eq!(s, 200, "{r}");
    let (s, _) = leader
        .get(&format!("/api/v1/returns/{}", r["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, 200, "the issuer reads the return it just issued");

    // Replay resumed: the replica catches up and everyone finds the case.
    execute(
        &replica.replace("/gongzhi", "/postgres"),
        "SELECT pg_wal_replay_resume()",
    )
    .await;
    let mut found = 0;
    for _ in 0..100 {
        found = hits(&prosecutor, "灌渠渗漏", false).await;
        if found == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(found, 1, "the replica caught up");
    assert_eq!(
        get(&leader, "/api/v1/dashboard", false).await["received"].as_i64(),
        Some(current)
    );
    drop(clusters);
}
