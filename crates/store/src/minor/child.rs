//! A child's record and its support plan, as stored: the record, the tasks under the six
//! protections, caring-mother pairings, and the day-by-day contacts (visits, counselling, the
//! guardian's calls). What names the child or says what happened is encrypted by the caller.

use sqlx::AnyConnection;

use crate::rows::{AnyQuery, Filter as Where, insert_sql, prefixed, save_versioned, update_versioned_sql};
use crate::{Page, Paged, Result, StoreError};

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ChildRow {
    pub id: String,
    pub agency_id: String,
    pub state: String,
    pub person_enc: String,
    pub guardian_situation: String,
    pub under14: i64,
    pub village_id: Option<String>,
    pub township_id: Option<String>,
    pub opened_on: String,
    pub guardian_contact_on: Option<String>,
    pub outcome: String,
    pub closed_at: Option<i64>,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A record with its places' names and what its lists count.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ChildListed {
    #[sqlx(flatten)]
    pub row: ChildRow,
    pub village_name: Option<String>,
    pub township_name: Option<String>,
    pub open_tasks: i64,
    /// A caring mother paired now.
    pub paired: i64,
}

const COLUMNS: &str = "id, agency_id, state, person_enc, guardian_situation, under14, village_id, township_id, \
    opened_on, guardian_contact_on, outcome, closed_at, created_by_name, version, created_at, updated_at";

fn bind_all<'q>(q: AnyQuery<'q>, r: &'q ChildRow) -> AnyQuery<'q> {
    q.bind(&r.agency_id)
        .bind(&r.state)
        .bind(&r.person_enc)
        .bind(&r.guardian_situation)
        .bind(r.under14)
        .bind(r.village_id.as_deref())
        .bind(r.township_id.as_deref())
        .bind(&r.opened_on)
        .bind(r.guardian_contact_on.as_deref())
        .bind(&r.outcome)
        .bind(r.closed_at)
        .bind(&r.created_by_name)
        .bind(r.version)
        .bind(r.created_at)
        .bind(r.updated_at)
}

fn written() -> Vec<&'static str> {
    COLUMNS.split(", ").skip(1).collect()
}

pub async fn insert_child(conn: &mut AnyConnection, r: &ChildRow) -> Result<()> {
    let mut cols = written();
    cols.push("id");
    bind_all(sqlx::query(&insert_sql("minor_child", &cols, 1)), r)
        .bind(&r.id)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn save_child(conn: &mut AnyConnection, r: &ChildRow, expected_version: i64) -> Result<()> {
    let sql = update_versioned_sql("minor_child", &written());
    let next = ChildRow {
        version: expected_version + 1,
        ..r.clone()
    };
    save_versioned(conn, bind_all(sqlx::query(&sql), &next), &r.id, expected_version).await
}

const FROM: &str = "FROM minor_child m LEFT JOIN org_unit v ON v.id = m.village_id
    LEFT JOIN org_unit t ON t.id = m.township_id";

fn select() -> String {
    format!(
        "SELECT {}, v.name AS village_name, t.name AS township_name,
            (SELECT COUNT(*) FROM minor_task k WHERE k.child_id = m.id AND k.state = 'open') AS open_tasks,
            (SELECT COUNT(*) FROM minor_pairing p WHERE p.child_id = m.id AND p.ended_on IS NULL) AS paired
         {FROM}",
        prefixed("m", COLUMNS)
    )
}

pub async fn child(conn: &mut AnyConnection, id: &str) -> Result<Option<ChildListed>> {
    Ok(sqlx::query_as(&format!("{} WHERE m.id = $1", select()))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Which records are listed: all (the juvenile team) or those granted to one user; open ones or
/// all.
#[derive(Clone, Debug, Default)]
pub struct ChildFilter {
    pub granted_to: Option<String>,
    pub open_only: bool,
}

fn child_where(f: &ChildFilter) -> Where {
    let mut w = Where::default();
    if let Some(u) = &f.granted_to {
        w.and(
            "m.id IN (SELECT child_id FROM minor_child_grant WHERE user_id = $? AND revoked_at IS NULL)",
            u.as_str(),
        );
    }
    if f.open_only {
        w.and_sql("m.state = 'open'");
    }
    w
}

/// Records, those whose guardian has not called for longest first.
pub async fn children(conn: &mut AnyConnection, f: &ChildFilter, page: Page) -> Result<Paged<ChildListed>> {
    let w = child_where(f);
    let filter = w.sql();
    let (total,): (i64,) = w
        .bind(sqlx::query_as(&format!("SELECT COUNT(*) {FROM} WHERE {filter}")))
        .fetch_one(&mut *conn)
        .await?;
    let sql = format!(
        "{} WHERE {filter} ORDER BY m.state DESC, COALESCE(m.guardian_contact_on, m.opened_on), m.id {}",
        select(),
        page.sql()
    );
    Ok(Paged {
        items: w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?,
        total,
    })
}

/// The open records of children whose guardian owes the weekly contact (§3.9) and has not made
/// it since `before` (`YYYY-MM-DD`).
pub async fn contact_overdue(
    conn: &mut AnyConnection,
    situations: &[&str],
    before: &str,
) -> Result<Vec<ChildListed>> {
    let mut w = Where::default();
    w.and_sql("m.state = 'open'");
    w.and_each(situations.iter().map(|s| (*s).into()), |m| {
        format!("m.guardian_situation IN ({m})")
    });
    w.and("COALESCE(m.guardian_contact_on, m.opened_on) < $?", before);
    let sql = format!(
        "{} WHERE {} ORDER BY COALESCE(m.guardian_contact_on, m.opened_on), m.id",
        select(),
        w.sql()
    );
    Ok(w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskRow {
    pub id: String,
    pub child_id: String,
    pub protection: String,
    pub agency_id: String,
    pub detail_enc: String,
    pub due_on: String,
    pub state: String,
    pub note_enc: String,
    pub done_by_name: String,
    pub done_at: Option<i64>,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
}

/// A task with its agency's name, and its child's record (encrypted) for the masked name.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskListed {
    #[sqlx(flatten)]
    pub row: TaskRow,
    pub agency_name: String,
    pub person_enc: String,
    pub township_name: Option<String>,
}

const TASK_COLUMNS: &str = "id, child_id, protection, agency_id, detail_enc, due_on, state, note_enc, \
    done_by_name, done_at, created_by_name, version, created_at";

fn bind_task<'q>(q: AnyQuery<'q>, r: &'q TaskRow) -> AnyQuery<'q> {
    q.bind(&r.child_id)
        .bind(&r.protection)
        .bind(&r.agency_id)
        .bind(&r.detail_enc)
        .bind(&r.due_on)
        .bind(&r.state)
        .bind(&r.note_enc)
        .bind(&r.done_by_name)
        .bind(r.done_at)
        .bind(&r.created_by_name)
        .bind(r.version)
        .bind(r.created_at)
}

fn task_written() -> Vec<&'static str> {
    TASK_COLUMNS.split(", ").skip(1).collect()
}

pub async fn insert_task(conn: &mut AnyConnection, r: &TaskRow) -> Result<()> {
    let mut cols = task_written();
    cols.push("id");
    bind_task(sqlx::query(&insert_sql("minor_task", &cols, 1)), r)
        .bind(&r.id)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn save_task(conn: &mut AnyConnection, r: &TaskRow, expected_version: i64) -> Result<()> {
    let sql = update_versioned_sql("minor_task", &task_written());
    let next = TaskRow {
        version: expected_version + 1,
        ..r.clone()
    };
    save_versioned(conn, bind_task(sqlx::query(&sql), &next), &r.id, expected_version).await
}

fn task_select() -> String {
    format!(
        "SELECT {}, a.short_name AS agency_name, m.person_enc, t.name AS township_name
         FROM minor_task k JOIN agency a ON a.id = k.agency_id JOIN minor_child m ON m.id = k.child_id
         LEFT JOIN org_unit t ON t.id = m.township_id",
        prefixed("k", TASK_COLUMNS)
    )
}

pub async fn task(conn: &mut AnyConnection, id: &str) -> Result<Option<TaskListed>> {
    Ok(sqlx::query_as(&format!("{} WHERE k.id = $1", task_select()))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// A child's support plan, by protection and due day.
pub async fn tasks_of(conn: &mut AnyConnection, child: &str) -> Result<Vec<TaskListed>> {
    Ok(sqlx::query_as(&format!(
        "{} WHERE k.child_id = $1 ORDER BY k.protection, k.due_on, k.id",
        task_select()
    ))
    .bind(child)
    .fetch_all(conn)
    .await?)
}

/// An agency's open tasks (of open records), soonest due first.
pub async fn agency_tasks(conn: &mut AnyConnection, agency: &str, page: Page) -> Result<Paged<TaskListed>> {
    let cond = "k.agency_id = $1 AND k.state = 'open' AND m.state = 'open'";
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM minor_task k JOIN minor_child m ON m.id = k.child_id WHERE {cond}"
    ))
    .bind(agency)
    .fetch_one(&mut *conn)
    .await?;
    let items = sqlx::query_as(&format!(
        "{} WHERE {cond} ORDER BY k.due_on, k.id {}",
        task_select(),
        page.sql()
    ))
    .bind(agency)
    .fetch_all(conn)
    .await?;
    Ok(Paged { items, total })
}

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PairingRow {
    pub id: String,
    pub child_id: String,
    pub mother_enc: String,
    pub started_on: String,
    pub ended_on: Option<String>,
    pub end_reason: String,
    pub created_by_name: String,
    pub created_at: i64,
}

pub async fn insert_pairing(conn: &mut AnyConnection, p: &PairingRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO minor_pairing (id, child_id, mother_enc, started_on, ended_on, end_reason, created_by_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&p.id)
    .bind(&p.child_id)
    .bind(&p.mother_enc)
    .bind(&p.started_on)
    .bind(p.ended_on.as_deref())
    .bind(&p.end_reason)
    .bind(&p.created_by_name)
    .bind(p.created_at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// Ends the child's current pairing; whether there was one.
pub async fn end_pairing(conn: &mut AnyConnection, child: &str, on: &str, reason: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE minor_pairing SET ended_on = $1, end_reason = $2 WHERE child_id = $3 AND ended_on IS NULL",
    )
    .bind(on)
    .bind(reason)
    .bind(child)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A child's pairings, the current one first.
pub async fn pairings(conn: &mut AnyConnection, child: &str) -> Result<Vec<PairingRow>> {
    Ok(sqlx::query_as(
        "SELECT id, child_id, mother_enc, started_on, ended_on, end_reason, created_by_name, created_at
         FROM minor_pairing WHERE child_id = $1 ORDER BY (ended_on IS NULL) DESC, started_on DESC",
    )
    .bind(child)
    .fetch_all(conn)
    .await?)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ContactRow {
    pub id: String,
    pub child_id: String,
    pub kind: String,
    pub on_day: String,
    pub minutes: Option<i64>,
    pub notes_enc: String,
    pub recorded_by_name: String,
    pub created_at: i64,
}

pub async fn insert_contact(conn: &mut AnyConnection, c: &ContactRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO minor_contact (id, child_id, kind, on_day, minutes, notes_enc, recorded_by_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&c.id)
    .bind(&c.child_id)
    .bind(&c.kind)
    .bind(&c.on_day)
    .bind(c.minutes)
    .bind(&c.notes_enc)
    .bind(&c.recorded_by_name)
    .bind(c.created_at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// A child's contacts, the latest first.
pub async fn contacts(conn: &mut AnyConnection, child: &str, limit: i64) -> Result<Vec<ContactRow>> {
    Ok(sqlx::query_as(
        "SELECT id, child_id, kind, on_day, minutes, notes_enc, recorded_by_name, created_at
         FROM minor_contact WHERE child_id = $1 ORDER BY on_day DESC, created_at DESC LIMIT $2",
    )
    .bind(child)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
