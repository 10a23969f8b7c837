//! Reference data: the org tree, agencies, dispute categories and the work calendar.

use chrono::NaiveDate;
use gongzhi_domain::calendar::DayKind;
use gongzhi_domain::org::{AgencyKind, OrgLevel};
use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::{Page, Paged, Result, StoreError, code, id, opt_id};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgUnit {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub level: OrgLevel,
    pub parent_id: Option<Id>,
    pub active: bool,
    pub version: i64,
    /// Where it lies (WGS-84, millionths of a degree), when known: Open311 requests located by
    /// lat/long go to the nearest place.
    pub coords: Option<(i64, i64)>,
}

#[derive(sqlx::FromRow)]
struct OrgUnitRow {
    id: String,
    code: String,
    name: String,
    level: String,
    parent_id: Option<String>,
    active: i64,
    version: i64,
    lat_e6: Option<i64>,
    lng_e6: Option<i64>,
}

impl TryFrom<OrgUnitRow> for OrgUnit {
    type Error = StoreError;
    fn try_from(r: OrgUnitRow) -> Result<Self> {
        Ok(OrgUnit {
            id: id(&r.id)?,
            level: code(&r.level, OrgLevel::parse)?,
            parent_id: opt_id(r.parent_id)?,
            code: r.code,
            name: r.name,
            active: r.active != 0,
            version: r.version,
            coords: r.lat_e6.zip(r.lng_e6),
        })
    }
}

const ORG_COLS: &str = "id, code, name, level, parent_id, active, version, lat_e6, lng_e6";

async fn org_query(conn: &mut AnyConnection, where_sql: &str, bind: Option<&str>) -> Result<Vec<OrgUnit>> {
    let sql = format!("SELECT {ORG_COLS} FROM org_unit {where_sql} ORDER BY code");
    let q = sqlx::query_as::<_, OrgUnitRow>(&sql);
    let rows = match bind {
        Some(b) => q.bind(b).fetch_all(conn).await?,
        None => q.fetch_all(conn).await?,
    };
    rows.into_iter().map(OrgUnit::try_from).collect()
}

/// One page of a unit's children (the roots without a parent), and how many there are.
pub async fn org_children_page(
    conn: &mut AnyConnection,
    parent: Option<Id>,
    page: Page,
) -> Result<Paged<OrgUnit>> {
    let (w, bind) = match parent {
        Some(p) => ("WHERE parent_id = $1", Some(p.to_string())),
        None => ("WHERE parent_id IS NULL", None),
    };
    let count_sql = format!("SELECT COUNT(*) FROM org_unit {w}");
    let count = sqlx::query_as::<_, (i64,)>(&count_sql);
    let (total,) = match &bind {
        Some(b) => count.bind(b).fetch_one(&mut *conn).await?,
        None => count.fetch_one(&mut *conn).await?,
    };
    let sql = format!("SELECT {ORG_COLS} FROM org_unit {w} ORDER BY code {}", page.sql());
    let q = sqlx::query_as::<_, OrgUnitRow>(&sql);
    let rows = match &bind {
        Some(b) => q.bind(b).fetch_all(conn).await?,
        None => q.fetch_all(conn).await?,
    };
    Ok(Paged {
        items: rows.into_iter().map(OrgUnit::try_from).collect::<Result<_>>()?,
        total,
    })
}

pub async fn org_children(conn: &mut AnyConnection, parent: Option<Id>) -> Result<Vec<OrgUnit>> {
    match parent {
        Some(p) => org_query(conn, "WHERE parent_id = $1", Some(&p.to_string())).await,
        None => org_query(conn, "WHERE parent_id IS NULL", None).await,
    }
}

pub async fn org_by_level(conn: &mut AnyConnection, level: OrgLevel) -> Result<Vec<OrgUnit>> {
    org_query(conn, "WHERE level = $1", Some(level.code())).await
}

pub async fn org_get(conn: &mut AnyConnection, unit: Id) -> Result<Option<OrgUnit>> {
    Ok(org_query(conn, "WHERE id = $1", Some(&unit.to_string()))
        .await?
        .pop())
}

pub async fn org_by_code(conn: &mut AnyConnection, unit_code: &str) -> Result<Option<OrgUnit>> {
    Ok(org_query(conn, "WHERE code = $1", Some(unit_code)).await?.pop())
}

/// The unit and its ancestors, root first.
pub async fn org_path(conn: &mut AnyConnection, unit: Id) -> Result<Vec<OrgUnit>> {
    let mut path = Vec::new();
    let mut next = Some(unit);
    while let Some(u) = next {
        let Some(found) = org_get(conn, u).await? else {
            break;
        };
        next = found.parent_id;
        path.push(found);
        if path.len() > 8 {
            return Err(StoreError::Corrupt("org tree has a cycle".into()));
        }
    }
    path.reverse();
    Ok(path)
}

pub async fn org_count_by_level(conn: &mut AnyConnection) -> Result<Vec<(OrgLevel, i64)>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT level, COUNT(*) FROM org_unit WHERE active = 1 GROUP BY level")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(l, n)| Ok((code(&l, OrgLevel::parse)?, n)))
        .collect()
}

pub async fn org_insert(conn: &mut AnyConnection, u: &OrgUnit, now: time::Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO org_unit (id, code, name, level, parent_id, active, version, created_at, updated_at,
             lat_e6, lng_e6)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8, $9)",
    )
    .bind(u.id.to_string())
    .bind(&u.code)
    .bind(&u.name)
    .bind(u.level.code())
    .bind(u.parent_id.map(|p| p.to_string()))
    .bind(i64::from(u.active))
    .bind(time::to_millis(now))
    .bind(u.coords.map(|c| c.0))
    .bind(u.coords.map(|c| c.1))
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// Sets (or clears) where a place lies.
pub async fn org_set_coords(conn: &mut AnyConnection, unit: Id, coords: Option<(i64, i64)>) -> Result<()> {
    sqlx::query("UPDATE org_unit SET lat_e6 = $1, lng_e6 = $2 WHERE id = $3")
        .bind(coords.map(|c| c.0))
        .bind(coords.map(|c| c.1))
        .bind(unit.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Updates name and active flag if the row is still at `version`.
pub async fn org_update(
    conn: &mut AnyConnection,
    unit: Id,
    name: &str,
    active: bool,
    version: i64,
    now: time::Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE org_unit SET name = $1, active = $2, version = version + 1, updated_at = $3
         WHERE id = $4 AND version = $5",
    )
    .bind(name)
    .bind(i64::from(active))
    .bind(time::to_millis(now))
    .bind(unit.to_string())
    .bind(version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        Err(StoreError::Conflict)
    } else {
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agency {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: AgencyKind,
    pub org_unit_id: Id,
    pub phone: String,
    pub address: String,
    pub active: bool,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct AgencyRow {
    id: String,
    code: String,
    name: String,
    short_name: String,
    kind: String,
    org_unit_id: String,
    phone: String,
    address: String,
    active: i64,
    version: i64,
}

impl TryFrom<AgencyRow> for Agency {
    type Error = StoreError;
    fn try_from(r: AgencyRow) -> Result<Self> {
        Ok(Agency {
            id: id(&r.id)?,
            kind: code(&r.kind, AgencyKind::parse)?,
            org_unit_id: id(&r.org_unit_id)?,
            code: r.code,
            name: r.name,
            short_name: r.short_name,
            phone: r.phone,
            address: r.address,
            active: r.active != 0,
            version: r.version,
        })
    }
}

const AGENCY_COLS: &str = "id, code, name, short_name, kind, org_unit_id, phone, address, active, version";

#[derive(Clone, Debug, Default)]
pub struct AgencyFilter {
    pub kind: Option<AgencyKind>,
    pub text: Option<String>,
}

fn agency_where(f: &AgencyFilter) -> (String, Vec<String>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut binds = Vec::new();
    if let Some(k) = f.kind {
        binds.push(k.code().to_owned());
        sql.push_str(&format!(" AND kind = ${}", binds.len()));
    }
    if let Some(t) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(format!("%{}%", t.trim().to_lowercase()));
        sql.push_str(&format!(
            " AND (LOWER(name) LIKE ${n} OR LOWER(code) LIKE ${n})",
            n = binds.len()
        ));
    }
    (sql, binds)
}

/// Every agency the filter selects (for the use cases that route work to one).
pub async fn agency_list(conn: &mut AnyConnection, f: &AgencyFilter) -> Result<Vec<Agency>> {
    let (w, binds) = agency_where(f);
    let sql = format!("SELECT {AGENCY_COLS} FROM agency{w} ORDER BY kind, code");
    let mut q = sqlx::query_as::<_, AgencyRow>(&sql);
    for b in binds {
        q = q.bind(b);
    }
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(Agency::try_from)
        .collect()
}

/// One page of the agencies the filter selects, and how many there are.
pub async fn agency_page(conn: &mut AnyConnection, f: &AgencyFilter, page: Page) -> Result<Paged<Agency>> {
    let (w, binds) = agency_where(f);
    let count_sql = format!("SELECT COUNT(*) FROM agency{w}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
    for b in &binds {
        count = count.bind(b.clone());
    }
    let (total,) = count.fetch_one(&mut *conn).await?;
    let sql = format!(
        "SELECT {AGENCY_COLS} FROM agency{w} ORDER BY kind, code {}",
        page.sql()
    );
    let mut q = sqlx::query_as::<_, AgencyRow>(&sql);
    for b in binds {
        q = q.bind(b);
    }
    let items = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(Agency::try_from)
        .collect::<Result<_>>()?;
    Ok(Paged { items, total })
}

pub async fn agency_get(conn: &mut AnyConnection, agency: Id) -> Result<Option<Agency>> {
    let sql = format!("SELECT {AGENCY_COLS} FROM agency WHERE id = $1");
    sqlx::query_as::<_, AgencyRow>(&sql)
        .bind(agency.to_string())
        .fetch_optional(conn)
        .await?
        .map(Agency::try_from)
        .transpose()
}

pub async fn agency_by_code(conn: &mut AnyConnection, agency_code: &str) -> Result<Option<Agency>> {
    let sql = format!("SELECT {AGENCY_COLS} FROM agency WHERE code = $1");
    sqlx::query_as::<_, AgencyRow>(&sql)
        .bind(agency_code)
        .fetch_optional(conn)
        .await?
        .map(Agency::try_from)
        .transpose()
}

pub async fn agency_insert(conn: &mut AnyConnection, a: &Agency, now: time::Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO agency (id, code, name, short_name, kind, org_unit_id, phone, address, active, version,
                             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
    )
    .bind(a.id.to_string())
    .bind(&a.code)
    .bind(&a.name)
    .bind(&a.short_name)
    .bind(a.kind.code())
    .bind(a.org_unit_id.to_string())
    .bind(&a.phone)
    .bind(&a.address)
    .bind(i64::from(a.active))
    .bind(time::to_millis(now))
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// Writes every field but id and code if the row is still at `a.version`.
pub async fn agency_update(conn: &mut AnyConnection, a: &Agency, now: time::Timestamp) -> Result<()> {
    let done = sqlx::query(
        "UPDATE agency SET name = $1, short_name = $2, kind = $3, org_unit_id = $4, phone = $5, address = $6,
                active = $7, version = version + 1, updated_at = $8
         WHERE id = $9 AND version = $10",
    )
    .bind(&a.name)
    .bind(&a.short_name)
    .bind(a.kind.code())
    .bind(a.org_unit_id.to_string())
    .bind(&a.phone)
    .bind(&a.address)
    .bind(i64::from(a.active))
    .bind(time::to_millis(now))
    .bind(a.id.to_string())
    .bind(a.version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        Err(StoreError::Conflict)
    } else {
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub sort_order: i64,
    pub active: i64,
    pub version: i64,
}

pub async fn category_list(conn: &mut AnyConnection) -> Result<Vec<Category>> {
    Ok(sqlx::query_as(
        "SELECT code, name, name_en, sort_order, active, version FROM dispute_category ORDER BY sort_order, code",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn category_get(conn: &mut AnyConnection, c: &str) -> Result<Option<Category>> {
    Ok(sqlx::query_as(
        "SELECT code, name, name_en, sort_order, active, version FROM dispute_category WHERE code = $1",
    )
    .bind(c)
    .fetch_optional(conn)
    .await?)
}

/// Inserts a category or overwrites it (imports and seeding are keyed by code).
pub async fn category_upsert(conn: &mut AnyConnection, c: &Category, now: time::Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO dispute_category (code, name, name_en, sort_order, active, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
             sort_order = excluded.sort_order, active = excluded.active,
             version = dispute_category.version + 1, updated_at = excluded.updated_at",
    )
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.name_en)
    .bind(c.sort_order)
    .bind(c.active)
    .bind(time::to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn category_update(conn: &mut AnyConnection, c: &Category, now: time::Timestamp) -> Result<()> {
    let done = sqlx::query(
        "UPDATE dispute_category SET name = $1, name_en = $2, sort_order = $3, active = $4,
                version = version + 1, updated_at = $5 WHERE code = $6 AND version = $7",
    )
    .bind(&c.name)
    .bind(&c.name_en)
    .bind(c.sort_order)
    .bind(c.active)
    .bind(time::to_millis(now))
    .bind(&c.code)
    .bind(c.version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        Err(StoreError::Conflict)
    } else {
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarDay {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

fn calendar_rows(rows: Vec<(String, String, String)>) -> Result<Vec<CalendarDay>> {
    rows.into_iter()
        .map(|(d, k, name)| {
            Ok(CalendarDay {
                day: NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| StoreError::Corrupt(format!("bad calendar date {d}")))?,
                kind: code(&k, DayKind::parse)?,
                name,
            })
        })
        .collect()
}

pub async fn calendar_all(conn: &mut AnyConnection) -> Result<Vec<CalendarDay>> {
    calendar_rows(
        sqlx::query_as("SELECT day, kind, name FROM calendar_day ORDER BY day")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn calendar_year(conn: &mut AnyConnection, year: i32) -> Result<Vec<CalendarDay>> {
    calendar_rows(
        sqlx::query_as("SELECT day, kind, name FROM calendar_day WHERE day >= $1 AND day <= $2 ORDER BY day")
            .bind(format!("{year:04}-01-01"))
            .bind(format!("{year:04}-12-31"))
            .fetch_all(conn)
            .await?,
    )
}

pub async fn calendar_get(conn: &mut AnyConnection, day: NaiveDate) -> Result<Option<CalendarDay>> {
    Ok(calendar_rows(
        sqlx::query_as("SELECT day, kind, name FROM calendar_day WHERE day = $1")
            .bind(day.format("%Y-%m-%d").to_string())
            .fetch_all(conn)
            .await?,
    )?
    .pop())
}

/// The reference data that servers cache: the deadline rules and the calendar.
pub const DEADLINES: &str = "deadlines";

/// The current version of cached reference data.
pub async fn version(conn: &mut AnyConnection, name: &str) -> Result<i64> {
    Ok(
        sqlx::query_as::<_, (i64,)>("SELECT version FROM reference_version WHERE name = $1")
            .bind(name)
            .fetch_optional(conn)
            .await?
            .map_or(0, |v| v.0),
    )
}

/// Marks cached reference data changed, in the changing transaction.
pub(crate) async fn bump_version(conn: &mut AnyConnection, name: &str) -> Result<()> {
    sqlx::query("UPDATE reference_version SET version = version + 1 WHERE name = $1")
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn calendar_upsert(conn: &mut AnyConnection, d: &CalendarDay, now: time::Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO calendar_day (day, kind, name, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at",
    )
    .bind(d.day.format("%Y-%m-%d").to_string())
    .bind(d.kind.code())
    .bind(&d.name)
    .bind(time::to_millis(now))
    .execute(&mut *conn)
    .await?;
    bump_version(conn, DEADLINES).await
}

pub async fn calendar_delete(conn: &mut AnyConnection, day: NaiveDate) -> Result<bool> {
    let done = sqlx::query("DELETE FROM calendar_day WHERE day = $1")
        .bind(day.format("%Y-%m-%d").to_string())
        .execute(&mut *conn)
        .await?;
    bump_version(conn, DEADLINES).await?;
    Ok(done.rows_affected() > 0)
}
