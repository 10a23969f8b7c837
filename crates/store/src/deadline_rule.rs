//! Deadline rules as rows: kind, amount, unit, effective dates, region.

use sqlx::AnyConnection;

use crate::Result;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RuleRow {
    pub code: String,
    pub clock: String,
    pub case_kind: String,
    pub trigger_event: String,
    pub amount: i64,
    pub unit: String,
    pub next_day: i64,
    pub roll_over: i64,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub region: String,
    pub source: String,
    pub version: i64,
    pub updated_at: i64,
    /// The most days one extension may add (0: the clock may not be extended).
    pub extension_days: i64,
    /// How many times a clock may be extended.
    pub extensions: i64,
    /// The pause-reason codes for which a clock may be paused, comma-separated ('' for none).
    pub pausable: String,
}

pub async fn rules(conn: &mut AnyConnection) -> Result<Vec<RuleRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM deadline_rule ORDER BY clock, effective_from")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn insert_rule_if_absent(conn: &mut AnyConnection, r: &RuleRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO deadline_rule (code, clock, case_kind, trigger_event, amount, unit, next_day, roll_over,
            effective_from, effective_to, region, source, version, updated_at, extension_days, extensions, pausable)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $15, $16)
         ON CONFLICT (code) DO NOTHING",
    )
    .bind(&r.code)
    .bind(&r.clock)
    .bind(&r.case_kind)
    .bind(&r.trigger_event)
    .bind(r.amount)
    .bind(&r.unit)
    .bind(r.next_day)
    .bind(r.roll_over)
    .bind(&r.effective_from)
    .bind(r.effective_to.clone())
    .bind(&r.region)
    .bind(&r.source)
    .bind(r.updated_at)
    .bind(r.extension_days)
    .bind(r.extensions)
    .bind(&r.pausable)
    .execute(&mut *conn)
    .await?;
    crate::reference::bump_version(conn, crate::reference::DEADLINES).await
}

/// Saves a new version of a rule under its own code; an existing code is a conflict.
pub async fn insert_version(conn: &mut AnyConnection, r: &RuleRow) -> Result<()> {
    let done = sqlx::query(
        "INSERT INTO deadline_rule (code, clock, case_kind, trigger_event, amount, unit, next_day, roll_over,
            effective_from, effective_to, region, source, version, updated_at, extension_days, extensions, pausable)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT (code) DO NOTHING",
    )
    .bind(&r.code)
    .bind(&r.clock)
    .bind(&r.case_kind)
    .bind(&r.trigger_event)
    .bind(r.amount)
    .bind(&r.unit)
    .bind(r.next_day)
    .bind(r.roll_over)
    .bind(&r.effective_from)
    .bind(r.effective_to.clone())
    .bind(&r.region)
    .bind(&r.source)
    .bind(r.version)
    .bind(r.updated_at)
    .bind(r.extension_days)
    .bind(r.extensions)
    .bind(&r.pausable)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(crate::StoreError::Conflict);
    }
    crate::reference::bump_version(conn, crate::reference::DEADLINES).await
}

/// Ends a version the day before its successor takes effect.
pub async fn close_version(conn: &mut AnyConnection, code: &str, last_day: &str) -> Result<()> {
    sqlx::query("UPDATE deadline_rule SET effective_to = $1 WHERE code = $2")
        .bind(last_day)
        .bind(code)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a running clock onto a new rule version with its recomputed due date.
pub async fn rebase_clock(conn: &mut AnyConnection, clock: &str, code: &str) -> Result<()> {
    sqlx::query("UPDATE case_clock SET rule_code = $1 WHERE id = $2")
        .bind(code)
        .bind(clock)
        .execute(conn)
        .await?;
    Ok(())
}
