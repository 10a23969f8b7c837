//! Mandatory reports about minors and the grants of single reports or children's records, as
//! stored. What names or locates a child is stored encrypted by the caller (`child_enc`,
//! `reporter_enc`, `person_enc`).

pub mod child;

use sqlx::AnyConnection;

use crate::rows::{AnyQuery, Filter as Where, insert_sql, prefixed, save_versioned, update_versioned_sql};
use crate::{Page, Paged, Result, StoreError};

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportRow {
    pub id: String,
    pub agency_id: String,
    pub state: String,
    pub reporter_kind: String,
    pub reporter_enc: String,
    pub received_at: i64,
    pub harm_kind: String,
    pub child_enc: String,
    pub guardian_situation: String,
    pub under14: i64,
    pub village_id: Option<String>,
    pub township_id: Option<String>,
    pub police_notified_at: Option<i64>,
    pub police_unit: String,
    pub filed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub outcome: String,
    pub finding_id: Option<String>,
    pub child_id: Option<String>,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A report with the names of its places, for lists.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportListed {
    #[sqlx(flatten)]
    pub row: ReportRow,
    pub village_name: Option<String>,
    pub township_name: Option<String>,
}

const COLUMNS: &str = "id, agency_id, state, reporter_kind, reporter_enc, received_at, harm_kind, child_enc, \
    guardian_situation, under14, village_id, township_id, police_notified_at, police_unit, filed_at, closed_at, \
    outcome, finding_id, child_id, created_by_name, version, created_at, updated_at";

fn bind_all<'q>(q: AnyQuery<'q>, r: &'q ReportRow) -> AnyQuery<'q> {
    q.bind(&r.agency_id)
        .bind(&r.state)
        .bind(&r.reporter_kind)
        .bind(&r.reporter_enc)
        .bind(r.received_at)
        .bind(&r.harm_kind)
        .bind(&r.child_enc)
        .bind(&r.guardian_situation)
        .bind(r.under14)
        .bind(r.village_id.as_deref())
        .bind(r.township_id.as_deref())
        .bind(r.police_notified_at)
        .bind(&r.police_unit)
        .bind(r.filed_at)
        .bind(r.closed_at)
        .bind(&r.outcome)
        .bind(r.finding_id.as_deref())
        .bind(r.child_id.as_deref())
        .bind(&r.created_by_name)
        .bind(r.version)
        .bind(r.created_at)
        .bind(r.updated_at)
}

fn written() -> Vec<&'static str> {
    COLUMNS.split(", ").skip(1).collect()
}

pub async fn insert_report(conn: &mut AnyConnection, r: &ReportRow) -> Result<()> {
    let mut cols = written();
    cols.push("id");
    bind_all(sqlx::query(&insert_sql("minor_report", &cols, 1)), r)
        .bind(&r.id)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn save_report(conn: &mut AnyConnection, r: &ReportRow, expected_version: i64) -> Result<()> {
    let sql = update_versioned_sql("minor_report", &written());
    let next = ReportRow {
        version: expected_version + 1,
        ..r.clone()
    };
    save_versioned(conn, bind_all(sqlx::query(&sql), &next), &r.id, expected_version).await
}

const FROM: &str = "FROM minor_report m LEFT JOIN org_unit v ON v.id = m.village_id
    LEFT JOIN org_unit t ON t.id = m.township_id";

fn select() -> String {
    format!(
        "SELECT {}, v.name AS village_name, t.name AS township_name {FROM}",
        prefixed("m", COLUMNS)
    )
}

pub async fn report(conn: &mut AnyConnection, id: &str) -> Result<Option<ReportListed>> {
    Ok(sqlx::query_as(&format!("{} WHERE m.id = $1", select()))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Which reports are listed: all of them (the juvenile team), or those granted to one user; and
/// those about one child.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    pub granted_to: Option<String>,
    pub child_id: Option<String>,
}

pub async fn reports(conn: &mut AnyConnection, f: &ReportFilter, page: Page) -> Result<Paged<ReportListed>> {
    let mut w = Where::default();
    if let Some(u) = &f.granted_to {
        w.and(
            "m.id IN (SELECT report_id FROM minor_grant WHERE user_id = $? AND revoked_at IS NULL)",
            u.as_str(),
        );
    }
    if let Some(c) = &f.child_id {
        w.and("m.child_id = $?", c.as_str());
    }
    let filter = w.sql();
    let (total,): (i64,) = w
        .bind(sqlx::query_as(&format!("SELECT COUNT(*) {FROM} WHERE {filter}")))
        .fetch_one(&mut *conn)
        .await?;
    let sql = format!(
        "{} WHERE {filter} ORDER BY m.received_at DESC, m.id {}",
        select(),
        page.sql()
    );
    Ok(Paged {
        items: w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?,
        total,
    })
}

/// Reports received in `[from, to)` by harm kind: (harm kind, count).
pub async fn counts_by_harm(conn: &mut AnyConnection, from: i64, to: i64) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT harm_kind, COUNT(*) FROM minor_report WHERE received_at >= $1 AND received_at < $2
         GROUP BY harm_kind ORDER BY harm_kind",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}

/// What is granted: one mandatory report, or one child's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granted {
    Report,
    Child,
}

impl Granted {
    /// The grant table and its key column.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Granted::Report => ("minor_grant", "report_id"),
            Granted::Child => ("minor_child_grant", "child_id"),
        }
    }
}

/// Whether the user holds a live grant of the report or record.
pub async fn granted(conn: &mut AnyConnection, what: Granted, id: &str, user: &str) -> Result<bool> {
    let (table, key) = what.table();
    let row: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT 1 FROM {table} WHERE {key} = $1 AND user_id = $2 AND revoked_at IS NULL"
    ))
    .bind(id)
    .bind(user)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// Grants a report or record to a user (again, if a grant was revoked).
pub async fn grant(
    conn: &mut AnyConnection,
    what: Granted,
    id: &str,
    user: &str,
    by: &str,
    at: i64,
) -> Result<()> {
    let (table, key) = what.table();
    sqlx::query(&format!(
        "INSERT INTO {table} ({key}, user_id, granted_by_name, granted_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT ({key}, user_id) DO UPDATE SET granted_by_name = excluded.granted_by_name,
             granted_at = excluded.granted_at, revoked_at = NULL"
    ))
    .bind(id)
    .bind(user)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// The people a report or record is granted to now: (user id, name, granted by, at).
pub async fn grants(
    conn: &mut AnyConnection,
    what: Granted,
    id: &str,
) -> Result<Vec<(String, String, String, i64)>> {
    let (table, key) = what.table();
    Ok(sqlx::query_as(&format!(
        "SELECT g.user_id, u.display_name, g.granted_by_name, g.granted_at FROM {table} g
         JOIN app_user u ON u.id = g.user_id WHERE g.{key} = $1 AND g.revoked_at IS NULL ORDER BY g.granted_at"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?)
}

pub async fn revoke(conn: &mut AnyConnection, what: Granted, id: &str, user: &str, at: i64) -> Result<bool> {
    let (table, key) = what.table();
    let done = sqlx::query(&format!(
        "UPDATE {table} SET revoked_at = $1 WHERE {key} = $2 AND user_id = $3 AND revoked_at IS NULL"
    ))
    .bind(at)
    .bind(id)
    .bind(user)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
