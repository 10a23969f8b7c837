//! Idempotency keys: a retried registration answers with the first case.

use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::{Result, StoreError};

pub async fn idempotent_case(conn: &mut AnyConnection, principal: &str, key: &str) -> Result<Option<Id>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT case_id FROM idempotency WHERE principal = $1 AND key = $2")
            .bind(principal)
            .bind(key)
            .fetch_optional(conn)
            .await?;
    row.map(|(c,)| crate::id(&c)).transpose()
}

pub async fn remember_idempotent(
    conn: &mut AnyConnection,
    principal: &str,
    key: &str,
    case: Id,
    now: time::Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO idempotency (key, principal, case_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(key)
        .bind(principal)
        .bind(case.to_string())
        .bind(time::to_millis(now))
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}
