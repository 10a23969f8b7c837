//! Timeline events of a case.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Page, Paged, Result};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Event {
    pub id: String,
    pub case_id: String,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub agency_name: String,
    pub kind: String,
    pub detail: String,
    pub public: i64,
}

pub async fn insert_event(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_event (id, case_id, at, actor_id, actor_name, agency_name, kind, detail, public)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&e.id)
    .bind(&e.case_id)
    .bind(e.at)
    .bind(e.actor_id.clone())
    .bind(&e.actor_name)
    .bind(&e.agency_name)
    .bind(&e.kind)
    .bind(&e.detail)
    .bind(e.public)
    .execute(conn)
    .await?;
    Ok(())
}

/// A page of a case's timeline counted from the newest event, shown oldest first.
pub async fn events(
    conn: &mut AnyConnection,
    case: Id,
    public_only: bool,
    page: Page,
) -> Result<Paged<Event>> {
    let w = if public_only {
        "case_id = $1 AND public = 1"
    } else {
        "case_id = $1"
    };
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM case_event WHERE {w}"))
        .bind(case.to_string())
        .fetch_one(&mut *conn)
        .await?;
    let sql = format!(
        "SELECT * FROM (SELECT * FROM case_event WHERE {w} ORDER BY at DESC, id DESC {}) page ORDER BY at, id",
        page.sql()
    );
    let items = sqlx::query_as(&sql)
        .bind(case.to_string())
        .fetch_all(conn)
        .await?;
    Ok(Paged { items, total })
}
