//! Judicial aid cases and the provincial wage table, as stored.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::rows::{AnyQuery, Filter as Where, insert_sql, prefixed, save_versioned, update_versioned_sql};
use crate::{Page, Paged, Result, StoreError};

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct AidRow {
    pub id: String,
    pub agency_id: String,
    pub case_id: String,
    pub party_id: String,
    pub applicant_name: String,
    pub state: String,
    pub clue: String,
    pub categories: String,
    pub exclusions: String,
    pub hardship: String,
    pub application_mode: String,
    pub applied_on: Option<String>,
    pub review_due: Option<String>,
    pub wage_year: i64,
    pub monthly_wage: i64,
    pub amount: i64,
    pub advance: i64,
    pub court_award: i64,
    pub over_cap_approval: String,
    pub decision_text: String,
    pub decided_by_name: String,
    pub decided_at: Option<i64>,
    pub funds_received_on: Option<String>,
    pub notify_due: Option<String>,
    pub notified_on: Option<String>,
    pub paid_on: Option<String>,
    /// The decision's number (司法救助决定书), given when decided.
    pub number: Option<String>,
    pub note: String,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An aid case with its case's number, for lists.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub aid: AidRow,
    pub number: String,
}

pub(crate) const COLUMNS: &str = "id, agency_id, case_id, party_id, applicant_name, state, clue, categories, exclusions, hardship, \
    application_mode, applied_on, review_due, wage_year, monthly_wage, amount, advance, court_award, over_cap_approval, \
    decision_text, decided_by_name, decided_at, funds_received_on, notify_due, notified_on, paid_on, number, note, \
    created_by_name, version, created_at, updated_at";

fn bind_all<'q>(q: AnyQuery<'q>, a: &'q AidRow) -> AnyQuery<'q> {
    q.bind(&a.agency_id)
        .bind(&a.case_id)
        .bind(&a.party_id)
        .bind(&a.applicant_name)
        .bind(&a.state)
        .bind(&a.clue)
        .bind(&a.categories)
        .bind(&a.exclusions)
        .bind(&a.hardship)
        .bind(&a.application_mode)
        .bind(a.applied_on.as_deref())
        .bind(a.review_due.as_deref())
        .bind(a.wage_year)
        .bind(a.monthly_wage)
        .bind(a.amount)
        .bind(a.advance)
        .bind(a.court_award)
        .bind(&a.over_cap_approval)
        .bind(&a.decision_text)
        .bind(&a.decided_by_name)
        .bind(a.decided_at)
        .bind(a.funds_received_on.as_deref())
        .bind(a.notify_due.as_deref())
        .bind(a.notified_on.as_deref())
        .bind(a.paid_on.as_deref())
        .bind(a.number.as_deref())
        .bind(&a.note)
        .bind(&a.created_by_name)
        .bind(a.version)
        .bind(a.created_at)
        .bind(a.updated_at)
}

fn written() -> Vec<&'static str> {
    COLUMNS.split(", ").skip(1).collect()
}

/// Inserts an aid case; a second one for the same person and case is `Duplicate`.
pub async fn insert_aid(conn: &mut AnyConnection, a: &AidRow) -> Result<()> {
    let mut cols = written();
    cols.push("id");
    let sql = insert_sql("aid_case", &cols, 1);
    bind_all(sqlx::query(&sql), a)
        .bind(&a.id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    crate::search::put(conn, &[crate::search::Doc::aid(a)]).await
}

pub async fn save_aid(conn: &mut AnyConnection, a: &AidRow, expected_version: i64) -> Result<()> {
    let sql = update_versioned_sql("aid_case", &written());
    let mut next = a.clone();
    next.version = expected_version + 1;
    save_versioned(
        &mut *conn,
        bind_all(sqlx::query(&sql), &next),
        &a.id,
        expected_version,
    )
    .await?;
    crate::search::put(conn, &[crate::search::Doc::aid(a)]).await
}

pub async fn aid(conn: &mut AnyConnection, id: Id) -> Result<Option<AidRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM aid_case WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// The aid case already open for a person on a case, if any.
pub async fn aid_of_party(conn: &mut AnyConnection, case: Id, party: Id) -> Result<Option<AidRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM aid_case WHERE case_id = $1 AND party_id = $2"
    ))
    .bind(case.to_string())
    .bind(party.to_string())
    .fetch_optional(conn)
    .await?)
}

pub async fn aids(
    conn: &mut AnyConnection,
    agency: Id,
    state: Option<&str>,
    page: Page,
) -> Result<Paged<Listed>> {
    let mut w = Where::default();
    w.and("a.agency_id = $?", agency.to_string());
    if let Some(s) = state {
        w.and("a.state = $?", s);
    }
    let filter = w.sql();
    let count_sql = format!("SELECT COUNT(*) FROM aid_case a WHERE {filter}");
    let (total,): (i64,) = w.bind(sqlx::query_as(&count_sql)).fetch_one(&mut *conn).await?;
    let sql = format!(
        "SELECT {}, c.number FROM aid_case a JOIN dispute_case c ON c.id = a.case_id WHERE {filter}
         ORDER BY a.created_at DESC, a.id DESC {}",
        prefixed("a", COLUMNS),
        page.sql()
    );
    Ok(Paged {
        items: w.bind(sqlx::query_as::<_, Listed>(&sql)).fetch_all(conn).await?,
        total,
    })
}

/// The province's average monthly wage of a year, with its source.
pub async fn wage(conn: &mut AnyConnection, province: &str, year: i32) -> Result<Option<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT monthly, source FROM provincial_wage WHERE province = $1 AND year = $2")
            .bind(province)
            .bind(i64::from(year))
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn put_wage(
    conn: &mut AnyConnection,
    province: &str,
    year: i32,
    monthly: i64,
    source: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO provincial_wage (province, year, monthly, source, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (province, year) DO UPDATE SET monthly = excluded.monthly, source = excluded.source,
             updated_at = excluded.updated_at",
    )
    .bind(province)
    .bind(i64::from(year))
    .bind(monthly)
    .bind(source)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}
