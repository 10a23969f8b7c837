//! Notices (reminders, escalations), raised once each by their dedup key.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Page, Paged, Result};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Notice {
    pub id: String,
    pub dedup: String,
    pub user_id: Option<String>,
    pub agency_id: Option<String>,
    pub case_id: Option<String>,
    pub kind: String,
    pub body: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Raises a notice unless one with the same `dedup` key exists; true when this call raised it.
pub async fn raise_notice(conn: &mut AnyConnection, n: &Notice) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO notice (id, dedup, user_id, agency_id, case_id, kind, body, created_at, read_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) ON CONFLICT (dedup) DO NOTHING",
    )
    .bind(&n.id)
    .bind(&n.dedup)
    .bind(n.user_id.clone())
    .bind(n.agency_id.clone())
    .bind(n.case_id.clone())
    .bind(&n.kind)
    .bind(&n.body)
    .bind(n.created_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Unread notices for a user: addressed to the user, or to the user's agency; newest first.
pub async fn notices_for(
    conn: &mut AnyConnection,
    user: Id,
    agency: Id,
    page: Page,
) -> Result<Paged<Notice>> {
    const WHERE: &str = "read_at IS NULL AND (user_id = $1 OR (user_id IS NULL AND agency_id = $2))";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM notice WHERE {WHERE}"))
        .bind(user.to_string())
        .bind(agency.to_string())
        .fetch_one(&mut *conn)
        .await?;
    let items = sqlx::query_as(&format!(
        "SELECT * FROM notice WHERE {WHERE} ORDER BY created_at DESC, id {}",
        page.sql()
    ))
    .bind(user.to_string())
    .bind(agency.to_string())
    .fetch_all(conn)
    .await?;
    Ok(Paged { items, total })
}

pub async fn count_notices(conn: &mut AnyConnection, kind: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notice WHERE kind = $1")
        .bind(kind)
        .fetch_one(conn)
        .await?;
    Ok(n)
}

pub async fn read_notice(conn: &mut AnyConnection, notice: Id, user: Id, agency: Id, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE notice SET read_at = $1 WHERE id = $2 AND (user_id = $3 OR (user_id IS NULL AND agency_id = $4))",
    )
    .bind(at)
    .bind(notice.to_string())
    .bind(user.to_string())
    .bind(agency.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
