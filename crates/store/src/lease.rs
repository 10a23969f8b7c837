//! Leases for periodic work that must run on one server at a time.

use gongzhi_domain::time;
use sqlx::AnyConnection;

use crate::Result;

/// Takes (or renews) the lease `name` for `holder` until `until`; false when another holder has it.
pub async fn acquire(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: time::Timestamp,
    until: time::Timestamp,
) -> Result<bool> {
    sqlx::query(
        "INSERT INTO job_lease (name, holder, expires_at) VALUES ($1, '', 0) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "UPDATE job_lease SET holder = $1, expires_at = $2 WHERE name = $3 AND (expires_at < $4 OR holder = $1)",
    )
    .bind(holder)
    .bind(time::to_millis(until))
    .bind(name)
    .bind(time::to_millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
