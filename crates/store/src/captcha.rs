//! Spent captcha tokens: each answers once.

use sqlx::AnyConnection;

use crate::Result;

/// Marks a captcha token as used; false when it already was.
pub async fn use_captcha(conn: &mut AnyConnection, token: &str, now: i64, expires_at: i64) -> Result<bool> {
    sqlx::query("DELETE FROM captcha_used WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query(
        "INSERT INTO captcha_used (token, expires_at) VALUES ($1, $2) ON CONFLICT (token) DO NOTHING",
    )
    .bind(token)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
