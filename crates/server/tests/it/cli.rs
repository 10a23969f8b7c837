//! The binary as an operator runs it.
use std::io::Write;
use std::process::{Command, Stdio};

use gongzhi_test_support::fresh_database;

fn gongzhi(dir: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongzhi"))
        .args(args)
        .env(
            "GONGZHI__DATABASE__URL",
            format!("sqlite://{}/gongzhi.db", dir.display()),
        )
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gongzhi-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn an_unreachable_database_is_named_with_its_password_masked() {
    let out = Command::new(env!("CARGO_BIN_EXE_gongzhi"))
        .arg("migrate")
        .env(
            "GONGZHI__DATABASE__URL",
            "postgres://gz:s3cret@127.0.0.1:1/gongzhi",
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("postgres://gz:***@127.0.0.1:1/gongzhi"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"));
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dir = temp_dir("port");
    let out = Command::new(env!("CARGO_BIN_EXE_gongzhi"))
        .arg("serve")
        .env(
            "GONGZHI__DATABASE__URL",
            format!("sqlite://{}/gongzhi.db", dir.display()),
        )
        .env("GONGZHI__HTTP__BIND", taken.local_addr().unwrap().to_string())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("端口可能已被占用"));
}

const CREATE_ROOT: &[&str] = &[
    "admin",
    "create-user",
    "--username",
    "root1",
    "--agency",
    "GZ-JCY",
    "--role",
    "system_admin",
];

#[tokio::test]
async fn users_made_on_the_command_line_and_a_tampered_audit_chain() {
    let dir = temp_dir("audit");
    let (code, _, err) = gongzhi(&dir, CREATE_ROOT, "weak\n");
    assert_eq!(code, 2, "a weak password is refused: {err}");
    let (code, out, err) = gongzhi(&dir, CREATE_ROOT, "Strong#2026gz\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created root1"));
    let (code, _, _) = gongzhi(
        &dir,
        &["admin", "reset-password", "--username", "root1"],
        "Other#2026gz\n",
    );
    assert_eq!(code, 0);
    let (code, out, _) = gongzhi(&dir, &["audit", "verify"], "");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 events verified"), "{out}");

    let db = gongzhi_store::Db::connect(&gongzhi_store::DbOptions {
        url: format!("sqlite://{}/gongzhi.db", dir.display()),
        max_connections: 1,
        connect_timeout: std::time::Duration::from_secs(5),
    })
    .await
    .unwrap();
    let mut conn = db.conn().await.unwrap();
    gongzhi_store::exec_for_tests(&mut conn, "UPDATE audit_event SET changes = '{}' WHERE seq = 1").await;
    drop(conn);
    db.close().await;
    let (code, _, err) = gongzhi(&dir, &["audit", "verify"], "");
    assert_eq!(code, 3);
    assert!(err.contains("#1") && err.contains("altered"), "{err}");
}

#[test]
fn the_openapi_document_prints() {
    let out = Command::new(env!("CARGO_BIN_EXE_gongzhi"))
        .arg("openapi")
        .output()
        .unwrap();
    let spec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(spec["paths"]["/api/v1/auth/login"]["post"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn two_servers_migrating_at_once_do_not_race() {
    let opts = gongzhi_store::DbOptions {
        url: fresh_database("migrate_race").await,
        max_connections: 2,
        connect_timeout: std::time::Duration::from_secs(10),
    };
    let a = gongzhi_store::Db::connect(&opts).await.unwrap();
    let b = gongzhi_store::Db::connect(&opts).await.unwrap();
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    let mut applied = [ra.unwrap(), rb.unwrap()];
    applied.sort();
    // One of them applied every migration, the other found nothing left to do.
    assert_eq!(applied[0], Vec::<i64>::new());
    assert_eq!(
        applied[1],
        gongzhi_store::MIGRATIONS
            .iter()
            .map(|m| m.version)
            .collect::<Vec<_>>()
    );
    assert!(a.pending_migrations().await.unwrap().is_empty());
}

#[test]
fn an_api_key_is_printed_once_and_only_its_hash_is_stored() {
    let dir = temp_dir("apikey");
    let (code, _, _) = gongzhi(&dir, &["admin", "create-api-key", "--name", ""], "");
    assert_eq!(code, 2, "an empty name is refused");
    let (code, out, err) = gongzhi(&dir, &["admin", "create-api-key", "--name", "12345 热线"], "");
    assert_eq!(code, 0, "{err}");
    let key = out.trim();
    assert!(key.starts_with("gz_") && key.len() == 51, "{key}");
    assert!(err.contains("仅显示一次"));
    let stored = std::fs::read(dir.join("gongzhi.db")).unwrap();
    assert!(
        !stored.windows(key.len()).any(|w| w == key.as_bytes()),
        "the key itself is not in the database"
    );
}
