//! Legal-education events and the cases they explain, as stored.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::rows::{AnyQuery, Filter as Where, insert_sql, prefixed, save_versioned, update_versioned_sql};
use crate::{Page, Paged, Result, StoreError};

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub agency_id: String,
    pub kind: String,
    pub state: String,
    pub topic: String,
    pub starts_at: String,
    pub month: String,
    pub venue_kind: String,
    pub place_id: Option<String>,
    pub township_id: Option<String>,
    pub venue: String,
    pub platform: String,
    pub speakers: String,
    pub audience_expected: i64,
    pub attendance: Option<i64>,
    pub summary: String,
    pub materials: String,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An event with the names of its agency and place, for lists.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub event: EventRow,
    pub agency_name: String,
    pub place_name: Option<String>,
    pub township_name: Option<String>,
}

const COLUMNS: &str = "id, agency_id, kind, state, topic, starts_at, month, venue_kind, place_id, township_id, venue, \
    platform, speakers, audience_expected, attendance, summary, materials, created_by_name, version, created_at, updated_at";

fn bind_all<'q>(q: AnyQuery<'q>, e: &'q EventRow) -> AnyQuery<'q> {
    q.bind(&e.agency_id)
        .bind(&e.kind)
        .bind(&e.state)
        .bind(&e.topic)
        .bind(&e.starts_at)
        .bind(&e.month)
        .bind(&e.venue_kind)
        .bind(e.place_id.as_deref())
        .bind(e.township_id.as_deref())
        .bind(&e.venue)
        .bind(&e.platform)
        .bind(&e.speakers)
        .bind(e.audience_expected)
        .bind(e.attendance)
        .bind(&e.summary)
        .bind(&e.materials)
        .bind(&e.created_by_name)
        .bind(e.version)
        .bind(e.created_at)
        .bind(e.updated_at)
}

fn written() -> Vec<&'static str> {
    COLUMNS.split(", ").skip(1).collect()
}

pub async fn insert_event(conn: &mut AnyConnection, e: &EventRow, cases: &[Id]) -> Result<()> {
    let mut cols = written();
    cols.push("id");
    bind_all(sqlx::query(&insert_sql("education_event", &cols, 1)), e)
        .bind(&e.id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    for c in cases {
        sqlx::query("INSERT INTO education_event_case (event_id, case_id) VALUES ($1, $2)")
            .bind(&e.id)
            .bind(c.to_string())
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}

pub async fn save_event(conn: &mut AnyConnection, e: &EventRow, expected_version: i64) -> Result<()> {
    let sql = update_versioned_sql("education_event", &written());
    let next = EventRow {
        version: expected_version + 1,
        ..e.clone()
    };
    save_versioned(conn, bind_all(sqlx::query(&sql), &next), &e.id, expected_version).await
}

const FROM: &str = "FROM education_event e JOIN agency a ON a.id = e.agency_id
    LEFT JOIN org_unit p ON p.id = e.place_id LEFT JOIN org_unit t ON t.id = e.township_id";

fn select() -> String {
    format!(
        "SELECT {}, a.name AS agency_name, p.name AS place_name, t.name AS township_name {FROM}",
        prefixed("e", COLUMNS)
    )
}

pub async fn event(conn: &mut AnyConnection, id: Id) -> Result<Option<Listed>> {
    Ok(sqlx::query_as(&format!("{} WHERE e.id = $1", select()))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?)
}

/// What events are listed by.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// `YYYY-MM`
    pub month: Option<String>,
    pub township: Option<Id>,
    pub kind: Option<String>,
    pub state: Option<String>,
    /// Only published ones (the portal).
    pub published: bool,
    /// Newest first (the portal), else in the order they take place.
    pub newest_first: bool,
}

pub async fn events(conn: &mut AnyConnection, f: &EventFilter, page: Page) -> Result<Paged<Listed>> {
    let mut w = Where::default();
    if let Some(m) = &f.month {
        w.and("e.month = $?", m.as_str());
    }
    if let Some(t) = f.township {
        w.and("e.township_id = $?", t.to_string());
    }
    if let Some(k) = &f.kind {
        w.and("e.kind = $?", k.as_str());
    }
    if let Some(s) = &f.state {
        w.and("e.state = $?", s.as_str());
    }
    if f.published {
        w.and_sql("e.state = 'published'");
    }
    let filter = w.sql();
    let count_sql = format!("SELECT COUNT(*) {FROM} WHERE {filter}");
    let (total,): (i64,) = w.bind(sqlx::query_as(&count_sql)).fetch_one(&mut *conn).await?;
    let order = if f.newest_first {
        "e.starts_at DESC, e.id DESC"
    } else {
        "e.starts_at, e.id"
    };
    let sql = format!("{} WHERE {filter} ORDER BY {order} {}", select(), page.sql());
    Ok(Paged {
        items: w.bind(sqlx::query_as::<_, Listed>(&sql)).fetch_all(conn).await?,
        total,
    })
}

/// Events held (held, recorded or published) per township and month of a year: (township id,
/// month, count, attendance). Online posts reach no township and are counted apart (`None`).
pub async fn held_counts(
    conn: &mut AnyConnection,
    year: i32,
) -> Result<Vec<(Option<String>, String, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT township_id, month, COUNT(*), CAST(SUM(COALESCE(attendance, 0)) AS BIGINT) FROM education_event
         WHERE month >= $1 AND month <= $2 AND state IN ('held', 'recorded', 'published')
         GROUP BY township_id, month",
    )
    .bind(format!("{year:04}-01"))
    .bind(format!("{year:04}-12"))
    .fetch_all(conn)
    .await?)
}

/// The cases an event explains: (id, number, title).
pub async fn event_cases(conn: &mut AnyConnection, event: &str) -> Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.number, c.title FROM education_event_case ec JOIN dispute_case c ON c.id = ec.case_id
         WHERE ec.event_id = $1 ORDER BY c.number",
    )
    .bind(event)
    .fetch_all(conn)
    .await?)
}
