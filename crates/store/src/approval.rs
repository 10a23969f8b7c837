//! What waits for an agency head's approval: high risks awaiting sign-off (read from the
//! assessments) and requests to extend, pause or resume a clock.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Page, Paged, Result};

/// A high risk whose plan (with its tasks, or a reassessment's) waits for the head's sign-off.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SignOffWaiting {
    pub case_id: String,
    pub number: String,
    pub title: String,
    pub assessment_id: String,
    pub score: i64,
    pub plan: String,
    pub assessor_name: String,
    pub at: i64,
}

/// §3.5: the latest, current assessment of an open case of the agency is high, has its plan and
/// either its tasks or is a reassessment, and is neither signed off nor refused since its plan.
const SIGN_OFF_WHERE: &str = "c.owner_agency_id = $1 AND c.status <> 'closed' \
    AND a.level = 'high' AND a.signed_off_at IS NULL AND a.sign_off_refused_at IS NULL AND a.plan <> '' AND a.at >= c.risk_stale_after \
    AND NOT EXISTS (SELECT 1 FROM risk_assessment b WHERE b.case_id = a.case_id AND b.at > a.at) \
    AND (a.reassesses <> '' OR EXISTS (SELECT 1 FROM task k WHERE k.source_id = a.id))";

pub async fn sign_offs_waiting(
    conn: &mut AnyConnection,
    agency: Id,
    page: Page,
) -> Result<Paged<SignOffWaiting>> {
    let from = "FROM risk_assessment a JOIN dispute_case c ON c.id = a.case_id";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {from} WHERE {SIGN_OFF_WHERE}"))
        .bind(agency.to_string())
        .fetch_one(&mut *conn)
        .await?;
    let items = sqlx::query_as(&format!(
        "SELECT c.id AS case_id, c.number, c.title, a.id AS assessment_id, a.score, a.plan, \
         a.assessor_name, a.at {from} WHERE {SIGN_OFF_WHERE} ORDER BY a.at, a.id {}",
        page.sql()
    ))
    .bind(agency.to_string())
    .fetch_all(conn)
    .await?;
    Ok(Paged { items, total })
}

/// A handler's request to change a clock, and the head's answer.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClockRequest {
    pub id: String,
    pub case_id: String,
    pub clock_id: String,
    pub agency_id: String,
    /// extend, pause, resume
    pub action: String,
    pub days: i64,
    pub pause_reason: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_by_name: String,
    pub requested_at: i64,
    /// pending, approved, refused
    pub state: String,
    pub decided_by_name: String,
    pub decided_at: Option<i64>,
    pub answer: String,
}

pub async fn insert_clock_request(conn: &mut AnyConnection, r: &ClockRequest) -> Result<()> {
    sqlx::query(
        "INSERT INTO clock_request (id, case_id, clock_id, agency_id, action, days, pause_reason, reason,
           requested_by, requested_by_name, requested_at, state, decided_by_name, decided_at, answer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', '', NULL, '')",
    )
    .bind(&r.id)
    .bind(&r.case_id)
    .bind(&r.clock_id)
    .bind(&r.agency_id)
    .bind(&r.action)
    .bind(r.days)
    .bind(&r.pause_reason)
    .bind(&r.reason)
    .bind(&r.requested_by)
    .bind(&r.requested_by_name)
    .bind(r.requested_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_clock_request(conn: &mut AnyConnection, id: Id) -> Result<Option<ClockRequest>> {
    Ok(sqlx::query_as("SELECT * FROM clock_request WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?)
}

/// A case's requests, newest first.
pub async fn clock_requests_of_case(conn: &mut AnyConnection, case: Id) -> Result<Vec<ClockRequest>> {
    Ok(
        sqlx::query_as("SELECT * FROM clock_request WHERE case_id = $1 ORDER BY requested_at DESC, id")
            .bind(case.to_string())
            .fetch_all(conn)
            .await?,
    )
}

/// The agency's pending requests, oldest first, with the case's number and title.
pub async fn pending_clock_requests(
    conn: &mut AnyConnection,
    agency: Id,
    page: Page,
) -> Result<Paged<(ClockRequest, String, String, String)>> {
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM clock_request WHERE agency_id = $1 AND state = 'pending'")
            .bind(agency.to_string())
            .fetch_one(&mut *conn)
            .await?;
    let rows: Vec<PendingRow> = sqlx::query_as(&format!(
        "SELECT r.*, c.number, c.title, k.kind AS clock_kind FROM clock_request r \
         JOIN dispute_case c ON c.id = r.case_id JOIN case_clock k ON k.id = r.clock_id \
         WHERE r.agency_id = $1 AND r.state = 'pending' ORDER BY r.requested_at, r.id {}",
        page.sql()
    ))
    .bind(agency.to_string())
    .fetch_all(conn)
    .await?;
    Ok(Paged {
        total,
        items: rows
            .into_iter()
            .map(|p| (p.request, p.number, p.title, p.clock_kind))
            .collect(),
    })
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    #[sqlx(flatten)]
    request: ClockRequest,
    number: String,
    title: String,
    clock_kind: String,
}

/// Decides a pending request; false when it was no longer pending (someone decided first).
pub async fn decide_clock_request(
    conn: &mut AnyConnection,
    id: &str,
    state: &str,
    by: &str,
    at: i64,
    answer: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE clock_request SET state = $1, decided_by_name = $2, decided_at = $3, answer = $4
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(state)
    .bind(by)
    .bind(at)
    .bind(answer)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
