//! Partner systems' API keys, by the hash of the key.

use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::{Result, StoreError, id};

pub async fn insert_api_key(
    conn: &mut AnyConnection,
    key_id: Id,
    name: &str,
    hash: &str,
    now: time::Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_key (id, name, key_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, NULL)",
    )
    .bind(key_id.to_string())
    .bind(name)
    .bind(hash)
    .bind(time::to_millis(now))
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// The id and name of the live key with this hash.
pub async fn api_key(conn: &mut AnyConnection, hash: &str) -> Result<Option<(Id, String)>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, name FROM api_key WHERE key_hash = $1 AND revoked_at IS NULL")
            .bind(hash)
            .fetch_optional(conn)
            .await?;
    row.map(|(i, n)| Ok((id(&i)?, n))).transpose()
}
