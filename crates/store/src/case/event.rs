//! Timeline events of a case.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::rows::insert_rows;
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
    insert_events(conn, std::slice::from_ref(e)).await
}

pub async fn insert_events(conn: &mut AnyConnection, events: &[Event]) -> Result<()> {
    insert_rows!(conn, "case_event", events, |e| {
        id: &e.id,
        case_id: &e.case_id,
        at: e.at,
        actor_id: e.actor_id.clone(),
        actor_name: &e.actor_name,
        agency_name: &e.agency_name,
        kind: &e.kind,
        detail: &e.detail,
        public: e.public,
    })
    .await
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

/// The latest event of a kind on a case (e.g. the reconciliation record in force).
pub async fn latest_event(conn: &mut AnyConnection, case: Id, kind: &str) -> Result<Option<Event>> {
    Ok(sqlx::query_as(
        "SELECT * FROM case_event WHERE case_id = $1 AND kind = $2 ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(case.to_string())
    .bind(kind)
    .fetch_optional(conn)
    .await?)
}
