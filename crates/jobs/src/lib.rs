//! Periodic background work, each task under a database lease so that it runs on one server at a
//! time: sealing the audit chain, purging audit events past retention, removing dead sessions, and
//! the deadline sweeper. The jobs act as the system: they hold the capability `App::new` gave the
//! binary.

use std::time::Duration;

use gongzhi_app::{App, AppError, Ctx, System};

const TICK: Duration = Duration::from_secs(5);
const LEASE: chrono::Duration = chrono::Duration::seconds(30);
/// The sweeper runs every 12 ticks (a minute).
const SWEEP_EVERY: u64 = 12;
const SWEEP_LEASE: chrono::Duration = chrono::Duration::seconds(90);

/// One pass of every task whose lease this server holds; returns what it did, for tests and logs.
pub async fn run_once(app: &App, system: &System, holder: &str) -> Result<(u64, u64, u64), AppError> {
    let ctx = Ctx::system(system, "maintenance");
    if !app.acquire_lease(&ctx, "maintenance", holder, LEASE).await? {
        return Ok((0, 0, 0));
    }
    let sealed = app.seal_audit(&ctx).await?;
    let purged = app.purge_audit(&ctx).await?;
    let ended = app.purge_sessions(&ctx).await?;
    Ok((sealed, purged, ended))
}

/// The deadline sweeper (reminders and escalations), under its own lease; `None` when another
/// server holds it. Each notice is also unique in the database, so even overlapping sweeps raise it
/// once.
pub async fn sweep_once(
    app: &App,
    system: &System,
    holder: &str,
    today: chrono::NaiveDate,
) -> Result<Option<(usize, usize)>, AppError> {
    let ctx = Ctx::system(system, "deadline-sweeper");
    if !app
        .acquire_lease(&ctx, "deadline-sweeper", holder, SWEEP_LEASE)
        .await?
    {
        return Ok(None);
    }
    Ok(Some(app.sweep_deadlines(&ctx, today).await?))
}

/// Runs until the process ends.
pub async fn run(app: App, system: System) {
    let holder = uuid_like();
    let mut ticks: u64 = 0;
    loop {
        if ticks.is_multiple_of(SWEEP_EVERY) {
            let today = gongzhi_app::domain::time::local_date(app.now());
            match sweep_once(&app, &system, &holder, today).await {
                Ok(Some((reminders, escalations))) if reminders + escalations > 0 => {
                    tracing::info!(reminders, escalations, "deadline sweep");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
            }
        }
        ticks += 1;
        match run_once(&app, &system, &holder).await {
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
