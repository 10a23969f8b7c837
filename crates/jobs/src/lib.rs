//! Periodic background work, each task under a database lease so that it runs on one server at a
//! time: sealing the audit chain, purging audit events past retention, and removing dead sessions.

use std::time::Duration;

use gongzhi_app::App;
use gongzhi_app::store::{lease, sessions};

const TICK: Duration = Duration::from_secs(5);
const LEASE: chrono::Duration = chrono::Duration::seconds(30);

/// One pass of every task whose lease this server holds; returns what it did, for tests and logs.
pub async fn run_once(app: &App, holder: &str) -> Result<(u64, u64, u64), gongzhi_app::AppError> {
    let now = app.now();
    let mut conn = app.db().conn().await?;
    if !lease::acquire(&mut conn, "maintenance", holder, now, now + LEASE).await? {
        return Ok((0, 0, 0));
    }
    drop(conn);
    let sealed = app.seal_audit().await?;
    let purged = app.purge_audit().await?;
    let mut tx = app.db().begin().await?;
    let ended = sessions::purge(tx.conn(), now, now - app.security().idle_timeout).await?;
    tx.commit().await?;
    Ok((sealed, purged, ended))
}

/// Runs until the process ends.
pub async fn run(app: App) {
    let holder = uuid_like();
    loop {
        match run_once(&app, &holder).await {
            Ok((sealed, purged, ended)) if sealed + purged + ended > 0 => {
                tracing::debug!(sealed, purged, ended, "maintenance");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "maintenance failed"),
        }
        tokio::time::sleep(TICK).await;
    }
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    )
}
