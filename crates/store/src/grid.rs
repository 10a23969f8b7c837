//! Grid assignments, visits with their photos and findings, and the clue queues, as stored.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::rows::{AnyQuery, Filter as Where, insert_sql, prefixed, save_versioned, update_versioned_sql};
use crate::{Page, Paged, Result, StoreError};

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct AssignmentRow {
    pub id: String,
    pub user_id: String,
    pub agency_id: String,
    pub village_id: String,
    pub township_id: String,
    pub grid_id: Option<String>,
    pub slot: String,
    pub rhythm: String,
    pub assigned_on: String,
    pub ended_on: Option<String>,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An assignment with the names of whom and where.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AssignmentListed {
    #[sqlx(flatten)]
    pub row: AssignmentRow,
    pub user_name: String,
    pub agency_name: String,
    pub village_name: String,
    pub township_name: String,
}

const ASSIGNMENT_COLUMNS: &str = "id, user_id, agency_id, village_id, township_id, grid_id, slot, rhythm, \
    assigned_on, ended_on, created_by_name, version, created_at, updated_at";

fn bind_assignment<'q>(q: AnyQuery<'q>, a: &'q AssignmentRow) -> AnyQuery<'q> {
    q.bind(&a.user_id)
        .bind(&a.agency_id)
        .bind(&a.village_id)
        .bind(&a.township_id)
        .bind(a.grid_id.as_deref())
        .bind(&a.slot)
        .bind(&a.rhythm)
        .bind(&a.assigned_on)
        .bind(a.ended_on.as_deref())
        .bind(&a.created_by_name)
        .bind(a.version)
        .bind(a.created_at)
        .bind(a.updated_at)
}

fn written(columns: &'static str) -> Vec<&'static str> {
    columns.split(", ").skip(1).collect()
}

pub async fn insert_assignment(conn: &mut AnyConnection, a: &AssignmentRow) -> Result<()> {
    let mut cols = written(ASSIGNMENT_COLUMNS);
    cols.push("id");
    bind_assignment(sqlx::query(&insert_sql("grid_assignment", &cols, 1)), a)
        .bind(&a.id)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn save_assignment(
    conn: &mut AnyConnection,
    a: &AssignmentRow,
    expected_version: i64,
) -> Result<()> {
    let sql = update_versioned_sql("grid_assignment", &written(ASSIGNMENT_COLUMNS));
    let next = AssignmentRow {
        version: expected_version + 1,
        ..a.clone()
    };
    save_versioned(
        conn,
        bind_assignment(sqlx::query(&sql), &next),
        &a.id,
        expected_version,
    )
    .await
}

/// Which assignments are listed.
#[derive(Clone, Debug, Default)]
pub struct AssignmentFilter {
    pub township: Option<Id>,
    pub village: Option<Id>,
    pub user: Option<Id>,
    pub agency: Option<Id>,
    /// Only those not ended.
    pub current: bool,
}

pub async fn assignments(conn: &mut AnyConnection, f: &AssignmentFilter) -> Result<Vec<AssignmentListed>> {
    let mut w = Where::default();
    if let Some(t) = f.township {
        w.and("g.township_id = $?", t.to_string());
    }
    if let Some(v) = f.village {
        w.and("g.village_id = $?", v.to_string());
    }
    if let Some(u) = f.user {
        w.and("g.user_id = $?", u.to_string());
    }
    if let Some(a) = f.agency {
        w.and("g.agency_id = $?", a.to_string());
    }
    if f.current {
        w.and_sql("g.ended_on IS NULL");
    }
    let sql = format!(
        "SELECT {}, u.display_name AS user_name, a.name AS agency_name, v.name AS village_name,
            t.name AS township_name
         FROM grid_assignment g JOIN app_user u ON u.id = g.user_id JOIN agency a ON a.id = g.agency_id
         JOIN org_unit v ON v.id = g.village_id JOIN org_unit t ON t.id = g.township_id
         WHERE {} ORDER BY t.code, v.code, g.slot, u.display_name",
        prefixed("g", ASSIGNMENT_COLUMNS),
        w.sql()
    );
    Ok(w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?)
}

pub async fn assignment_of(conn: &mut AnyConnection, user: Id, village: Id) -> Result<Option<AssignmentRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM grid_assignment WHERE user_id = $1 AND village_id = $2"
    ))
    .bind(user.to_string())
    .bind(village.to_string())
    .fetch_optional(conn)
    .await?)
}

pub async fn assignment(conn: &mut AnyConnection, id: Id) -> Result<Option<AssignmentRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM grid_assignment WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct VisitRow {
    pub id: String,
    pub agency_id: String,
    pub village_id: String,
    pub township_id: String,
    pub grid_id: Option<String>,
    pub visitor_id: String,
    pub visitor_name: String,
    pub state: String,
    pub day: String,
    pub visited_at: Option<String>,
    pub place: String,
    pub people_met: String,
    pub checklist: String,
    pub notes: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A visit with the names of its place and agency.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct VisitListed {
    #[sqlx(flatten)]
    pub row: VisitRow,
    pub village_name: String,
    pub township_name: String,
    pub agency_name: String,
    pub findings: i64,
}

pub(crate) const VISIT_COLUMNS: &str = "id, agency_id, village_id, township_id, grid_id, visitor_id, visitor_name, state, \
    day, visited_at, place, people_met, checklist, notes, version, created_at, updated_at";

fn bind_visit<'q>(q: AnyQuery<'q>, v: &'q VisitRow) -> AnyQuery<'q> {
    q.bind(&v.agency_id)
        .bind(&v.village_id)
        .bind(&v.township_id)
        .bind(v.grid_id.as_deref())
        .bind(&v.visitor_id)
        .bind(&v.visitor_name)
        .bind(&v.state)
        .bind(&v.day)
        .bind(v.visited_at.as_deref())
        .bind(&v.place)
        .bind(&v.people_met)
        .bind(&v.checklist)
        .bind(&v.notes)
        .bind(v.version)
        .bind(v.created_at)
        .bind(v.updated_at)
}

pub async fn insert_visit(conn: &mut AnyConnection, v: &VisitRow) -> Result<()> {
    let mut cols = written(VISIT_COLUMNS);
    cols.push("id");
    bind_visit(sqlx::query(&insert_sql("grid_visit", &cols, 1)), v)
        .bind(&v.id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    crate::search::put(conn, &[crate::search::Doc::visit(v)]).await
}

pub async fn save_visit(conn: &mut AnyConnection, v: &VisitRow, expected_version: i64) -> Result<()> {
    let sql = update_versioned_sql("grid_visit", &written(VISIT_COLUMNS));
    let next = VisitRow {
        version: expected_version + 1,
        ..v.clone()
    };
    save_versioned(
        &mut *conn,
        bind_visit(sqlx::query(&sql), &next),
        &v.id,
        expected_version,
    )
    .await?;
    crate::search::put(conn, &[crate::search::Doc::visit(v)]).await
}

const VISIT_FROM: &str = "FROM grid_visit g JOIN org_unit v ON v.id = g.village_id
    JOIN org_unit t ON t.id = g.township_id JOIN agency a ON a.id = g.agency_id";

fn visit_select() -> String {
    format!(
        "SELECT {}, v.name AS village_name, t.name AS township_name, a.name AS agency_name,
            (SELECT COUNT(*) FROM grid_finding f WHERE f.visit_id = g.id) AS findings {VISIT_FROM}",
        prefixed("g", VISIT_COLUMNS)
    )
}

pub async fn visit(conn: &mut AnyConnection, id: Id) -> Result<Option<VisitListed>> {
    Ok(sqlx::query_as(&format!("{} WHERE g.id = $1", visit_select()))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?)
}

/// Which visits are listed.
#[derive(Clone, Debug, Default)]
pub struct VisitFilter {
    /// Only this agency's (a caller who is not district-wide).
    pub agency: Option<Id>,
    pub visitor: Option<Id>,
    pub township: Option<Id>,
    pub village: Option<Id>,
    pub state: Option<String>,
    /// 'YYYY-MM-DD', inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
}

pub async fn visits(conn: &mut AnyConnection, f: &VisitFilter, page: Page) -> Result<Paged<VisitListed>> {
    let mut w = Where::default();
    if let Some(a) = f.agency {
        w.and("g.agency_id = $?", a.to_string());
    }
    if let Some(u) = f.visitor {
        w.and("g.visitor_id = $?", u.to_string());
    }
    if let Some(t) = f.township {
        w.and("g.township_id = $?", t.to_string());
    }
    if let Some(v) = f.village {
        w.and("g.village_id = $?", v.to_string());
    }
    if let Some(s) = &f.state {
        w.and("g.state = $?", s.as_str());
    }
    if let Some(d) = &f.from {
        w.and("g.day >= $?", d.as_str());
    }
    if let Some(d) = &f.to {
        w.and("g.day <= $?", d.as_str());
    }
    let filter = w.sql();
    let (total,): (i64,) = w
        .bind(sqlx::query_as(&format!(
            "SELECT COUNT(*) {VISIT_FROM} WHERE {filter}"
        )))
        .fetch_one(&mut *conn)
        .await?;
    let sql = format!(
        "{} WHERE {filter} ORDER BY g.day DESC, COALESCE(g.visited_at, '') DESC, g.created_at DESC, g.id {}",
        visit_select(),
        page.sql()
    );
    Ok(Paged {
        items: w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?,
        total,
    })
}

/// The last day each village was visited (logged) within `[from, to]`, and how often: (village,
/// last day, visits).
pub async fn visited_villages(
    conn: &mut AnyConnection,
    agency: Option<Id>,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, i64)>> {
    let by = if agency.is_some() {
        " AND agency_id = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT village_id, MAX(day), COUNT(*) FROM grid_visit
         WHERE state IN ('visited', 'routed') AND day >= $1 AND day <= $2{by} GROUP BY village_id"
    );
    let mut q = sqlx::query_as(&sql).bind(from).bind(to);
    if let Some(a) = agency {
        q = q.bind(a.to_string());
    }
    Ok(q.fetch_all(conn).await?)
}

/// Each person's last logged visit per village, up to `to`: (visitor, village, last day).
pub async fn last_visits(conn: &mut AnyConnection, to: &str) -> Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT visitor_id, village_id, MAX(day) FROM grid_visit
         WHERE state IN ('visited', 'routed') AND day <= $1 GROUP BY visitor_id, village_id",
    )
    .bind(to)
    .fetch_all(conn)
    .await?)
}

/// The visit a key already applied, if any.
pub async fn visit_of_key(conn: &mut AnyConnection, principal: &str, key: &str) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT visit_id FROM grid_visit_key WHERE principal = $1 AND key = $2")
            .bind(principal)
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(v,)| v))
}

/// Remembers a key; a key already taken (a concurrent retry) is `Duplicate`.
pub async fn remember_key(
    conn: &mut AnyConnection,
    principal: &str,
    key: &str,
    visit: &str,
    at: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO grid_visit_key (principal, key, visit_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(principal)
        .bind(key)
        .bind(visit)
        .bind(at)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PhotoMeta {
    pub id: String,
    pub visit_id: String,
    pub filename: String,
    pub mime: String,
    pub size: i64,
    pub sm3: String,
    pub uploaded_at: i64,
}

pub async fn insert_photo(conn: &mut AnyConnection, p: &PhotoMeta, data: &[u8]) -> Result<()> {
    sqlx::query(
        "INSERT INTO grid_visit_photo (id, visit_id, filename, mime, size, sm3, data, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&p.id)
    .bind(&p.visit_id)
    .bind(&p.filename)
    .bind(&p.mime)
    .bind(p.size)
    .bind(&p.sm3)
    .bind(data.to_vec())
    .bind(p.uploaded_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn photos(conn: &mut AnyConnection, visit: &str) -> Result<Vec<PhotoMeta>> {
    Ok(sqlx::query_as(
        "SELECT id, visit_id, filename, mime, size, sm3, uploaded_at FROM grid_visit_photo
         WHERE visit_id = $1 ORDER BY uploaded_at, id",
    )
    .bind(visit)
    .fetch_all(conn)
    .await?)
}

pub async fn photo_data(conn: &mut AnyConnection, id: Id) -> Result<Option<(PhotoMeta, Vec<u8>)>> {
    let meta: Option<PhotoMeta> = sqlx::query_as(
        "SELECT id, visit_id, filename, mime, size, sm3, uploaded_at FROM grid_visit_photo WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(meta) = meta else { return Ok(None) };
    let (data,): (Vec<u8>,) = sqlx::query_as("SELECT data FROM grid_visit_photo WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    Ok(Some((meta, data)))
}

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct FindingRow {
    pub id: String,
    pub visit_id: String,
    pub seq: i64,
    pub kind: String,
    pub summary: String,
    pub details: String,
    pub case_id: Option<String>,
    pub team: String,
    pub clue_state: Option<String>,
    pub taken_by_id: Option<String>,
    pub taken_by_name: String,
    pub outcome: String,
    pub closed_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
}

/// A finding with its visit's place and the case registered from it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FindingListed {
    #[sqlx(flatten)]
    pub row: FindingRow,
    pub village_name: String,
    pub township_name: String,
    pub visitor_name: String,
    pub visit_day: String,
    pub case_number: Option<String>,
}

const FINDING_COLUMNS: &str = "id, visit_id, seq, kind, summary, details, case_id, team, clue_state, \
    taken_by_id, taken_by_name, outcome, closed_at, version, created_at";

fn bind_finding<'q>(q: AnyQuery<'q>, f: &'q FindingRow) -> AnyQuery<'q> {
    q.bind(&f.visit_id)
        .bind(f.seq)
        .bind(&f.kind)
        .bind(&f.summary)
        .bind(&f.details)
        .bind(f.case_id.as_deref())
        .bind(&f.team)
        .bind(f.clue_state.as_deref())
        .bind(f.taken_by_id.as_deref())
        .bind(&f.taken_by_name)
        .bind(&f.outcome)
        .bind(f.closed_at)
        .bind(f.version)
        .bind(f.created_at)
}

pub async fn insert_finding(conn: &mut AnyConnection, f: &FindingRow) -> Result<()> {
    let mut cols = written(FINDING_COLUMNS);
    cols.push("id");
    bind_finding(sqlx::query(&insert_sql("grid_finding", &cols, 1)), f)
        .bind(&f.id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    crate::search::seal_visits(conn, &[f.visit_id.as_str()]).await
}

pub async fn save_finding(conn: &mut AnyConnection, f: &FindingRow, expected_version: i64) -> Result<()> {
    let sql = update_versioned_sql("grid_finding", &written(FINDING_COLUMNS));
    let next = FindingRow {
        version: expected_version + 1,
        ..f.clone()
    };
    save_versioned(
        &mut *conn,
        bind_finding(sqlx::query(&sql), &next),
        &f.id,
        expected_version,
    )
    .await?;
    crate::search::seal_visits(conn, &[f.visit_id.as_str()]).await
}

const FINDING_FROM: &str = "FROM grid_finding f JOIN grid_visit g ON g.id = f.visit_id
    JOIN org_unit v ON v.id = g.village_id JOIN org_unit t ON t.id = g.township_id
    LEFT JOIN dispute_case c ON c.id = f.case_id";

fn finding_select() -> String {
    format!(
        "SELECT {}, v.name AS village_name, t.name AS township_name, g.visitor_name, g.day AS visit_day,
            c.number AS case_number {FINDING_FROM}",
        prefixed("f", FINDING_COLUMNS)
    )
}

pub async fn findings(conn: &mut AnyConnection, visit: &str) -> Result<Vec<FindingListed>> {
    Ok(sqlx::query_as(&format!(
        "{} WHERE f.visit_id = $1 ORDER BY f.seq",
        finding_select()
    ))
    .bind(visit)
    .fetch_all(conn)
    .await?)
}

pub async fn finding(conn: &mut AnyConnection, id: Id) -> Result<Option<FindingListed>> {
    Ok(sqlx::query_as(&format!("{} WHERE f.id = $1", finding_select()))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?)
}

/// The clues of the given teams (by action code), in a state or all not closed, oldest first.
pub async fn clues(
    conn: &mut AnyConnection,
    teams: &[&str],
    state: Option<&str>,
    page: Page,
) -> Result<Paged<FindingListed>> {
    if teams.is_empty() {
        return Ok(Paged::default());
    }
    let mut w = Where::default();
    w.and_each(teams.iter().map(|t| (*t).into()), |m| format!("f.team IN ({m})"));
    match state {
        Some(s) => w.and("f.clue_state = $?", s),
        None => w.and_sql("f.clue_state IN ('open', 'taken')"),
    }
    let filter = w.sql();
    let (total,): (i64,) = w
        .bind(sqlx::query_as(&format!(
            "SELECT COUNT(*) {FINDING_FROM} WHERE {filter}"
        )))
        .fetch_one(&mut *conn)
        .await?;
    let sql = format!(
        "{} WHERE {filter} ORDER BY f.created_at, f.id {}",
        finding_select(),
        page.sql()
    );
    Ok(Paged {
        items: w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?,
        total,
    })
}
