//! Statistical returns as issued: each a frozen set of lines (JSON), by scope, period and revision.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::Result;

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReturnRow {
    pub id: String,
    /// `district` or the agency's id.
    pub scope: String,
    pub scope_name: String,
    pub period_kind: String,
    pub period: String,
    pub revision: i64,
    pub lines: String,
    pub note: String,
    pub issued_by_name: String,
    pub issued_at: i64,
}

const COLUMNS: &str =
    "id, scope, scope_name, period_kind, period, revision, lines, note, issued_by_name, issued_at";

/// Stores a return as the next revision of its scope and period, which it returns. Two issuing at
/// once: the second finds the revision taken (a conflict) and the caller tries again.
pub async fn insert(conn: &mut AnyConnection, r: &ReturnRow) -> Result<i64> {
    let (last,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(revision), 0) FROM stat_return WHERE scope = $1 AND period = $2")
            .bind(&r.scope)
            .bind(&r.period)
            .fetch_one(&mut *conn)
            .await?;
    let revision = last + 1;
    sqlx::query(&format!(
        "INSERT INTO stat_return ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&r.id)
    .bind(&r.scope)
    .bind(&r.scope_name)
    .bind(&r.period_kind)
    .bind(&r.period)
    .bind(revision)
    .bind(&r.lines)
    .bind(&r.note)
    .bind(&r.issued_by_name)
    .bind(r.issued_at)
    .execute(conn)
    .await?;
    Ok(revision)
}

pub async fn get(conn: &mut AnyConnection, id: Id) -> Result<Option<ReturnRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM stat_return WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// Returns issued, newest first: of one scope, or all when `None`; at most `limit`.
pub async fn list(conn: &mut AnyConnection, scope: Option<&str>, limit: i64) -> Result<Vec<ReturnRow>> {
    let (cond, value) = match scope {
        Some(s) => ("scope = $1", s),
        None => ("scope <> $1", ""),
    };
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stat_return WHERE {cond} ORDER BY period DESC, revision DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .bind(value)
    .fetch_all(conn)
    .await?)
}

/// Children's records opened in `[from, to]` (`YYYY-MM-DD`), by one agency or all.
pub async fn children_opened(
    conn: &mut AnyConnection,
    agency: Option<Id>,
    from: &str,
    to: &str,
) -> Result<i64> {
    let by = if agency.is_some() {
        " AND agency_id = $3"
    } else {
        ""
    };
    let sql = format!("SELECT COUNT(*) FROM minor_child WHERE opened_on >= $1 AND opened_on <= $2{by}");
    let mut q = sqlx::query_as(&sql).bind(from).bind(to);
    if let Some(a) = agency {
        q = q.bind(a.to_string());
    }
    let (n,): (i64,) = q.fetch_one(conn).await?;
    Ok(n)
}
