//! Referrals (交办) from one agency to another, with their feedback deadline and answer.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Page, Paged, Result, StoreError, newest};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Referral {
    pub id: String,
    pub case_id: String,
    pub from_agency_id: String,
    pub from_agency_name: Option<String>,
    pub to_agency_id: String,
    pub to_agency_name: Option<String>,
    pub note: String,
    pub due_date: String,
    pub state: String,
    pub answer: String,
    pub created_by_name: String,
    pub created_at: i64,
    pub answered_by_name: String,
    pub answered_at: Option<i64>,
    pub version: i64,
    /// 1: the sender asked the receiver to reply to the citizen itself.
    pub reply_requested: i64,
}

pub async fn insert_referral(conn: &mut AnyConnection, r: &Referral) -> Result<()> {
    sqlx::query(
        "INSERT INTO referral (id, case_id, from_agency_id, to_agency_id, note, due_date, state, answer,
            created_by_name, created_at, answered_by_name, answered_at, version, reply_requested)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, '', NULL, 1, $10)",
    )
    .bind(&r.id)
    .bind(&r.case_id)
    .bind(&r.from_agency_id)
    .bind(&r.to_agency_id)
    .bind(&r.note)
    .bind(&r.due_date)
    .bind(&r.state)
    .bind(&r.created_by_name)
    .bind(r.created_at)
    .bind(r.reply_requested)
    .execute(conn)
    .await?;
    Ok(())
}

const REFERRAL_SELECT: &str = "SELECT r.id, r.case_id, r.from_agency_id, fa.name AS from_agency_name,
    r.to_agency_id, ta.name AS to_agency_name, r.note, r.due_date, r.state, r.answer, r.created_by_name,
    r.created_at, r.answered_by_name, r.answered_at, r.version, r.reply_requested
    FROM referral r LEFT JOIN agency fa ON fa.id = r.from_agency_id LEFT JOIN agency ta ON ta.id = r.to_agency_id";

pub async fn referrals(conn: &mut AnyConnection, case: Id) -> Result<Vec<Referral>> {
    let sql = newest(
        &format!("{REFERRAL_SELECT} WHERE r.case_id = $1"),
        "r.created_at",
        "created_at",
    );
    Ok(sqlx::query_as(&sql)
        .bind(case.to_string())
        .fetch_all(conn)
        .await?)
}

pub async fn get_referral(conn: &mut AnyConnection, referral: Id) -> Result<Option<Referral>> {
    let sql = format!("{REFERRAL_SELECT} WHERE r.id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(referral.to_string())
        .fetch_optional(conn)
        .await?)
}

/// Pending referrals to an agency (its intake tray), with the case number and title of each.
#[derive(sqlx::FromRow)]
struct ReferralToRow {
    #[sqlx(flatten)]
    referral: Referral,
    case_number: String,
    case_title: String,
}

pub async fn referrals_to(
    conn: &mut AnyConnection,
    agency: Id,
    page: Page,
) -> Result<Paged<(Referral, String, String)>> {
    let (total,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM referral WHERE to_agency_id = $1 AND state IN ('pending', 'accepted')",
    )
    .bind(agency.to_string())
    .fetch_one(&mut *conn)
    .await?;
    // The case's number and title come in the same row (one query for the page, not one per row).
    let sql = format!(
        "SELECT q.*, c.number AS case_number, c.title AS case_title FROM ({REFERRAL_SELECT}) q \
         JOIN dispute_case c ON c.id = q.case_id \
         WHERE q.to_agency_id = $1 AND q.state IN ('pending', 'accepted') ORDER BY q.due_date, q.id {}",
        page.sql()
    );
    let rows: Vec<ReferralToRow> = sqlx::query_as(&sql)
        .bind(agency.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let out = rows
        .into_iter()
        .map(|r| (r.referral, r.case_number, r.case_title))
        .collect();
    Ok(Paged { items: out, total })
}

pub async fn answer_referral(
    conn: &mut AnyConnection,
    r: &Referral,
    state: &str,
    answer: &str,
    by: &str,
    at: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE referral SET state = $1, answer = $2, answered_by_name = $3, answered_at = $4,
            version = version + 1 WHERE id = $5 AND version = $6",
    )
    .bind(state)
    .bind(answer)
    .bind(by)
    .bind(at)
    .bind(&r.id)
    .bind(r.version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}
