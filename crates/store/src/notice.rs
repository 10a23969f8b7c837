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
    /// For a notice to an agency: `all` its people, or `heads` only (escalations).
    pub audience: String,
}

/// Raises a notice unless one with the same `dedup` key exists; true when this call raised it.
pub async fn raise_notice(conn: &mut AnyConnection, n: &Notice) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO notice (id, dedup, user_id, agency_id, case_id, kind, body, created_at, read_at, audience)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9) ON CONFLICT (dedup) DO NOTHING",
    )
    .bind(&n.id)
    .bind(&n.dedup)
    .bind(n.user_id.clone())
    .bind(n.agency_id.clone())
    .bind(n.case_id.clone())
    .bind(&n.kind)
    .bind(&n.body)
    .bind(n.created_at)
    .bind(&n.audience)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who reads a notice: the user it is addressed to; one addressed to the agency, its people (or,
/// for `heads`, only its heads).
const FOR_READER: &str =
    "(user_id = $1 OR (user_id IS NULL AND agency_id = $2 AND (audience = 'all' OR $3 = 1)))";

/// Unread notices for a user, those addressed to the user first, then newest first.
pub async fn notices_for(
    conn: &mut AnyConnection,
    user: Id,
    agency: Id,
    head: bool,
    page: Page,
) -> Result<Paged<Notice>> {
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM notice WHERE read_at IS NULL AND {FOR_READER}"
    ))
    .bind(user.to_string())
    .bind(agency.to_string())
    .bind(i64::from(head))
    .fetch_one(&mut *conn)
    .await?;
    let items = sqlx::query_as(&format!(
        "SELECT * FROM notice WHERE read_at IS NULL AND {FOR_READER} \
         ORDER BY CASE WHEN user_id = $1 THEN 0 ELSE 1 END, created_at DESC, id {}",
        page.sql()
    ))
    .bind(user.to_string())
    .bind(agency.to_string())
    .bind(i64::from(head))
    .fetch_all(conn)
    .await?;
    Ok(Paged { items, total })
}

/// The work a notice asked for is done: the case's notices whose dedup key starts with `prefix`
/// are put away (read) for everyone.
pub async fn resolve_notices(conn: &mut AnyConnection, case: Id, prefix: &str, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE notice SET read_at = $1 WHERE case_id = $2 AND read_at IS NULL AND substr(dedup, 1, CAST($3 AS INTEGER)) = $4",
    )
    .bind(at)
    .bind(case.to_string())
    .bind(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX))
    .bind(prefix)
    .execute(conn)
    .await?;
    Ok(())
}

/// The unread notices of a case whose key starts with `prefix`.
pub async fn open_notices(conn: &mut AnyConnection, case: Id, prefix: &str) -> Result<Vec<Notice>> {
    Ok(sqlx::query_as(
        "SELECT * FROM notice WHERE case_id = $1 AND read_at IS NULL AND substr(dedup, 1, CAST($2 AS INTEGER)) = $3",
    )
    .bind(case.to_string())
    .bind(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX))
    .bind(prefix)
    .fetch_all(conn)
    .await?)
}

pub async fn count_notices(conn: &mut AnyConnection, kind: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notice WHERE kind = $1")
        .bind(kind)
        .fetch_one(conn)
        .await?;
    Ok(n)
}

pub async fn read_notice(
    conn: &mut AnyConnection,
    notice: Id,
    user: Id,
    agency: Id,
    head: bool,
    at: i64,
) -> Result<()> {
    sqlx::query(&format!(
        "UPDATE notice SET read_at = $4 WHERE id = $5 AND {FOR_READER}"
    ))
    .bind(user.to_string())
    .bind(agency.to_string())
    .bind(i64::from(head))
    .bind(at)
    .bind(notice.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
