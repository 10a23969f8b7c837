//! Procuratorial suggestions as stored: the suggestion, the cases it came from, and its steps.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::rows::{AnyQuery, Filter as Where, insert_sql, prefixed, save_versioned, update_versioned_sql};
use crate::{Page, Paged, Result};

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct SuggestionRow {
    pub id: String,
    pub agency_id: String,
    pub number: Option<String>,
    pub kind: String,
    pub state: String,
    pub title: String,
    pub recipient_agency_id: String,
    pub facts: String,
    pub problems: String,
    pub proposals: String,
    pub legal_basis: String,
    pub objection_days: i64,
    pub urgent: i64,
    pub reply_days: i64,
    pub decided_by_name: String,
    pub decided_at: Option<i64>,
    pub delivery: String,
    pub observers: String,
    pub copies: String,
    pub received_on: Option<String>,
    pub due_date: Option<String>,
    pub objection: String,
    pub recheck: String,
    pub reply: String,
    pub evidence: String,
    pub replied_on: Option<String>,
    pub replied_by_name: String,
    pub reminders: i64,
    pub rung: i64,
    pub follow_up: String,
    pub evaluation: String,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A suggestion with its recipient's name, for lists.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub s: SuggestionRow,
    pub recipient_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StepRow {
    pub command: String,
    pub note: String,
    pub by_name: String,
    pub by_agency: String,
    pub at: i64,
}

pub(crate) const COLUMNS: &str = "id, agency_id, number, kind, state, title, recipient_agency_id, facts, problems, proposals, \
    legal_basis, objection_days, urgent, reply_days, decided_by_name, decided_at, delivery, observers, copies, \
    received_on, due_date, objection, recheck, reply, evidence, replied_on, replied_by_name, reminders, rung, \
    follow_up, evaluation, created_by_name, version, created_at, updated_at";

/// Every column but the id, as `$1`… in this order, for the insert and the update alike.
fn bind_all<'q>(q: AnyQuery<'q>, s: &'q SuggestionRow) -> AnyQuery<'q> {
    q.bind(&s.agency_id)
        .bind(s.number.as_deref())
        .bind(&s.kind)
        .bind(&s.state)
        .bind(&s.title)
        .bind(&s.recipient_agency_id)
        .bind(&s.facts)
        .bind(&s.problems)
        .bind(&s.proposals)
        .bind(&s.legal_basis)
        .bind(s.objection_days)
        .bind(s.urgent)
        .bind(s.reply_days)
        .bind(&s.decided_by_name)
        .bind(s.decided_at)
        .bind(&s.delivery)
        .bind(&s.observers)
        .bind(&s.copies)
        .bind(s.received_on.as_deref())
        .bind(s.due_date.as_deref())
        .bind(&s.objection)
        .bind(&s.recheck)
        .bind(&s.reply)
        .bind(&s.evidence)
        .bind(s.replied_on.as_deref())
        .bind(&s.replied_by_name)
        .bind(s.reminders)
        .bind(s.rung)
        .bind(&s.follow_up)
        .bind(&s.evaluation)
        .bind(&s.created_by_name)
        .bind(s.version)
        .bind(s.created_at)
        .bind(s.updated_at)
}

fn written_columns() -> Vec<&'static str> {
    COLUMNS.split(", ").skip(1).collect()
}

pub async fn insert_suggestion(conn: &mut AnyConnection, s: &SuggestionRow, cases: &[Id]) -> Result<()> {
    let mut cols = written_columns();
    cols.push("id");
    let sql = insert_sql("suggestion", &cols, 1);
    bind_all(sqlx::query(&sql), s)
        .bind(&s.id)
        .execute(&mut *conn)
        .await?;
    for c in cases {
        sqlx::query("INSERT INTO suggestion_case (suggestion_id, case_id) VALUES ($1, $2)")
            .bind(&s.id)
            .bind(c.to_string())
            .execute(&mut *conn)
            .await?;
    }
    crate::search::put(conn, &[crate::search::Doc::suggestion(s)]).await
}

/// Writes the whole row (its version one up) if it is still at `expected_version`.
pub async fn save_suggestion(
    conn: &mut AnyConnection,
    s: &SuggestionRow,
    expected_version: i64,
) -> Result<()> {
    let sql = update_versioned_sql("suggestion", &written_columns());
    let mut next = s.clone();
    next.version = expected_version + 1;
    save_versioned(
        &mut *conn,
        bind_all(sqlx::query(&sql), &next),
        &s.id,
        expected_version,
    )
    .await?;
    crate::search::put(conn, &[crate::search::Doc::suggestion(s)]).await
}

pub async fn suggestion(conn: &mut AnyConnection, id: Id) -> Result<Option<SuggestionRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM suggestion WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// What a list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// The issuing procuratorate (`None` with `recipient` set: what was addressed to that agency).
    pub agency: Option<Id>,
    pub recipient: Option<Id>,
    pub state: Option<String>,
    /// Only those awaiting a reply (served, or escalated) — with `overdue_on`, past their due date.
    pub awaiting: bool,
    pub overdue_on: Option<String>,
}

pub async fn suggestions(conn: &mut AnyConnection, f: &Filter, page: Page) -> Result<Paged<Listed>> {
    let mut w = Where::default();
    if let Some(a) = f.agency {
        w.and("s.agency_id = $?", a.to_string());
    }
    if let Some(r) = f.recipient {
        w.and("s.recipient_agency_id = $?", r.to_string());
        // A recipient sees a suggestion from its service on, never a draft.
        w.and_sql("s.number IS NOT NULL AND s.received_on IS NOT NULL");
    }
    if let Some(st) = &f.state {
        w.and("s.state = $?", st.as_str());
    }
    if f.awaiting {
        w.and_sql("s.state IN ('awaiting_reply', 'escalated')");
    }
    if let Some(day) = &f.overdue_on {
        w.and("s.due_date < $?", day.as_str());
    }
    let filter = w.sql();
    let count_sql = format!("SELECT COUNT(*) FROM suggestion s WHERE {filter}");
    let (total,): (i64,) = w.bind(sqlx::query_as(&count_sql)).fetch_one(&mut *conn).await?;
    let columns = prefixed("s", COLUMNS);
    let sql = format!(
        "SELECT {columns}, a.name AS recipient_name FROM suggestion s JOIN agency a ON a.id = s.recipient_agency_id
         WHERE {filter} ORDER BY s.created_at DESC, s.id DESC {}",
        page.sql()
    );
    Ok(Paged {
        items: w.bind(sqlx::query_as::<_, Listed>(&sql)).fetch_all(conn).await?,
        total,
    })
}

/// Per recipient: how many await a reply and how many of those are overdue on `today`.
pub async fn awaiting_by_recipient(
    conn: &mut AnyConnection,
    agency: Id,
    today: &str,
) -> Result<Vec<(String, String, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.name, COUNT(*), SUM(CASE WHEN s.due_date < $2 THEN 1 ELSE 0 END)
         FROM suggestion s JOIN agency a ON a.id = s.recipient_agency_id
         WHERE s.agency_id = $1 AND s.state IN ('awaiting_reply', 'escalated')
         GROUP BY a.id, a.name ORDER BY 4 DESC, 3 DESC, a.name",
    )
    .bind(agency.to_string())
    .bind(today)
    .fetch_all(conn)
    .await?)
}

pub async fn cases_of(conn: &mut AnyConnection, id: Id) -> Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.number, c.title FROM suggestion_case sc JOIN dispute_case c ON c.id = sc.case_id
         WHERE sc.suggestion_id = $1 ORDER BY c.number",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?)
}

pub async fn insert_step(conn: &mut AnyConnection, suggestion: Id, step: &StepRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO suggestion_step (id, suggestion_id, command, note, by_name, by_agency, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Id::new().to_string())
    .bind(suggestion.to_string())
    .bind(&step.command)
    .bind(&step.note)
    .bind(&step.by_name)
    .bind(&step.by_agency)
    .bind(step.at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn steps(conn: &mut AnyConnection, suggestion: Id) -> Result<Vec<StepRow>> {
    Ok(sqlx::query_as(
        "SELECT command, note, by_name, by_agency, at FROM suggestion_step WHERE suggestion_id = $1 ORDER BY at, id",
    )
    .bind(suggestion.to_string())
    .fetch_all(conn)
    .await?)
}
