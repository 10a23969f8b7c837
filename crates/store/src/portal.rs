//! Files a citizen uploaded with a portal form that was refused, held by a token until the form
//! is sent again (or they expire).

use sqlx::AnyConnection;

use crate::Result;

pub async fn hold(
    conn: &mut AnyConnection,
    id: &str,
    token: &str,
    filename: &str,
    data: &[u8],
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO held_upload (id, token, filename, data, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(token)
    .bind(filename)
    .bind(data)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The files held by `token` since `since` (ms), oldest first: (filename, content).
pub async fn held(conn: &mut AnyConnection, token: &str, since: i64) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(sqlx::query_as(
        "SELECT filename, data FROM held_upload WHERE token = $1 AND created_at >= $2 ORDER BY created_at, id",
    )
    .bind(token)
    .bind(since)
    .fetch_all(conn)
    .await?)
}

pub async fn release(conn: &mut AnyConnection, token: &str) -> Result<()> {
    sqlx::query("DELETE FROM held_upload WHERE token = $1")
        .bind(token)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops what was held before `before` (ms).
pub async fn purge(conn: &mut AnyConnection, before: i64) -> Result<()> {
    sqlx::query("DELETE FROM held_upload WHERE created_at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(())
}
