//! Reception days (the schedule of leaders' half days) and their visits, as stored.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::rows::{AnyQuery, Filter as Where, insert_sql, prefixed, save_versioned, update_versioned_sql};
use crate::{Page, Paged, Result, StoreError};

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct SlotRow {
    pub id: String,
    pub agency_id: String,
    pub leader_id: String,
    pub leader_name: String,
    pub day: String,
    pub half: String,
    pub place: String,
    pub topic: String,
    pub capacity: i64,
    pub booked: i64,
    pub state: String,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct VisitRow {
    pub id: String,
    pub slot_id: String,
    pub agency_id: String,
    pub code: String,
    pub channel: String,
    pub visitor_name: String,
    pub phone_enc: String,
    pub phone_masked: String,
    pub matter: String,
    pub state: String,
    pub record: String,
    pub case_id: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: String,
    pub received_by_name: String,
    pub received_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A visit with its slot and the number and state of its case, for lists and the inbox.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub visit: VisitRow,
    pub day: String,
    pub half: String,
    pub leader_name: String,
    pub case_number: Option<String>,
    pub case_state: Option<String>,
}

/// `booked` is not among them: it is set on insert and kept by `take_place` and `free_place` alone,
/// so that saving a slot read before a booking never undoes it.
const SLOT_COLUMNS: &str = "id, agency_id, leader_id, leader_name, day, half, place, topic, capacity, state, \
    created_by_name, version, created_at, updated_at";
const VISIT_COLUMNS: &str = "id, slot_id, agency_id, code, channel, visitor_name, phone_enc, phone_masked, matter, state, \
    record, case_id, owner_id, owner_name, received_by_name, received_at, closed_at, created_by_name, version, \
    created_at, updated_at";

fn bind_slot<'q>(q: AnyQuery<'q>, s: &'q SlotRow) -> AnyQuery<'q> {
    q.bind(&s.agency_id)
        .bind(&s.leader_id)
        .bind(&s.leader_name)
        .bind(&s.day)
        .bind(&s.half)
        .bind(&s.place)
        .bind(&s.topic)
        .bind(s.capacity)
        .bind(&s.state)
        .bind(&s.created_by_name)
        .bind(s.version)
        .bind(s.created_at)
        .bind(s.updated_at)
}

fn bind_visit<'q>(q: AnyQuery<'q>, v: &'q VisitRow) -> AnyQuery<'q> {
    q.bind(&v.slot_id)
        .bind(&v.agency_id)
        .bind(&v.code)
        .bind(&v.channel)
        .bind(&v.visitor_name)
        .bind(&v.phone_enc)
        .bind(&v.phone_masked)
        .bind(&v.matter)
        .bind(&v.state)
        .bind(&v.record)
        .bind(v.case_id.as_deref())
        .bind(v.owner_id.as_deref())
        .bind(&v.owner_name)
        .bind(&v.received_by_name)
        .bind(v.received_at)
        .bind(v.closed_at)
        .bind(&v.created_by_name)
        .bind(v.version)
        .bind(v.created_at)
        .bind(v.updated_at)
}

fn written(columns: &'static str) -> Vec<&'static str> {
    columns.split(", ").skip(1).collect()
}

/// Inserts a slot; a second one for the same leader and half day is `Duplicate`.
pub async fn insert_slot(conn: &mut AnyConnection, s: &SlotRow) -> Result<()> {
    let mut cols = written(SLOT_COLUMNS);
    cols.extend(["booked", "id"]);
    bind_slot(sqlx::query(&insert_sql("reception_slot", &cols, 1)), s)
        .bind(s.booked)
        .bind(&s.id)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Saves a slot's fields but its booked count (kept by `take_place` and `free_place`).
pub async fn save_slot(conn: &mut AnyConnection, s: &SlotRow, expected_version: i64) -> Result<()> {
    let sql = update_versioned_sql("reception_slot", &written(SLOT_COLUMNS));
    let next = SlotRow {
        version: expected_version + 1,
        ..s.clone()
    };
    save_versioned(conn, bind_slot(sqlx::query(&sql), &next), &s.id, expected_version).await
}

/// Takes one place on a published slot; `false` when it is full (or no longer published), so
/// that two bookings at once never overfill it.
pub async fn take_place(conn: &mut AnyConnection, slot: Id) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE reception_slot SET booked = booked + 1
         WHERE id = $1 AND state = 'published' AND booked < capacity",
    )
    .bind(slot.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a cancelled visit's place back.
pub async fn free_place(conn: &mut AnyConnection, slot: &str) -> Result<()> {
    sqlx::query("UPDATE reception_slot SET booked = booked - 1 WHERE id = $1 AND booked > 0")
        .bind(slot)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn slot(conn: &mut AnyConnection, id: Id) -> Result<Option<SlotRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SLOT_COLUMNS}, booked FROM reception_slot WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?)
}

/// An agency's slots between two days (inclusive, `YYYY-MM-DD`), in the order of the schedule;
/// `published` keeps only those on the public schedule.
pub async fn slots(
    conn: &mut AnyConnection,
    agency: Option<Id>,
    from: &str,
    to: &str,
    published: bool,
) -> Result<Vec<SlotRow>> {
    let mut w = Where::default();
    if let Some(a) = agency {
        w.and("agency_id = $?", a.to_string());
    }
    w.and("day >= $?", from);
    w.and("day <= $?", to);
    if published {
        w.and_sql("state = 'published'");
    }
    let sql = format!(
        "SELECT {SLOT_COLUMNS}, booked FROM reception_slot WHERE {} ORDER BY day, half, leader_name, id",
        w.sql()
    );
    Ok(w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?)
}

/// How many slots each leader of an agency has, not cancelled, in a year (`YYYY`).
pub async fn counts_in_year(
    conn: &mut AnyConnection,
    agency: Id,
    year: i32,
) -> Result<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT leader_id, MAX(leader_name), COUNT(*) FROM reception_slot
         WHERE agency_id = $1 AND day >= $2 AND day <= $3 AND state <> 'cancelled'
         GROUP BY leader_id ORDER BY MAX(leader_name)",
    )
    .bind(agency.to_string())
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_all(conn)
    .await?)
}

pub async fn insert_visit(conn: &mut AnyConnection, v: &VisitRow) -> Result<()> {
    let mut cols = written(VISIT_COLUMNS);
    cols.push("id");
    bind_visit(sqlx::query(&insert_sql("reception_visit", &cols, 1)), v)
        .bind(&v.id)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn save_visit(conn: &mut AnyConnection, v: &VisitRow, expected_version: i64) -> Result<()> {
    let sql = update_versioned_sql("reception_visit", &written(VISIT_COLUMNS));
    let next = VisitRow {
        version: expected_version + 1,
        ..v.clone()
    };
    save_versioned(
        conn,
        bind_visit(sqlx::query(&sql), &next),
        &v.id,
        expected_version,
    )
    .await
}

pub async fn visit(conn: &mut AnyConnection, id: Id) -> Result<Option<VisitRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {VISIT_COLUMNS} FROM reception_visit WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?)
}

/// What visits are listed by.
#[derive(Clone, Debug, Default)]
pub struct VisitFilter {
    pub id: Option<Id>,
    pub agency: Option<Id>,
    pub slot: Option<Id>,
    pub case: Option<Id>,
    pub owner: Option<Id>,
    pub states: Vec<String>,
}

pub async fn visits(conn: &mut AnyConnection, f: &VisitFilter, page: Page) -> Result<Paged<Listed>> {
    let mut w = Where::default();
    if let Some(id) = f.id {
        w.and("v.id = $?", id.to_string());
    }
    if let Some(a) = f.agency {
        w.and("v.agency_id = $?", a.to_string());
    }
    if let Some(s) = f.slot {
        w.and("v.slot_id = $?", s.to_string());
    }
    if let Some(c) = f.case {
        w.and("v.case_id = $?", c.to_string());
    }
    if let Some(o) = f.owner {
        w.and("v.owner_id = $?", o.to_string());
    }
    if !f.states.is_empty() {
        w.and_each(f.states.iter().map(|s| s.as_str().into()), |list| {
            format!("v.state IN ({list})")
        });
    }
    let filter = w.sql();
    let from = "FROM reception_visit v JOIN reception_slot s ON s.id = v.slot_id
        LEFT JOIN dispute_case c ON c.id = v.case_id";
    let count_sql = format!("SELECT COUNT(*) {from} WHERE {filter}");
    let (total,): (i64,) = w.bind(sqlx::query_as(&count_sql)).fetch_one(&mut *conn).await?;
    let sql = format!(
        "SELECT {}, s.day, s.half, s.leader_name, c.number AS case_number, c.status AS case_state {from}
         WHERE {filter} ORDER BY s.day DESC, s.half DESC, v.created_at, v.id {}",
        prefixed("v", VISIT_COLUMNS),
        page.sql()
    );
    Ok(Paged {
        items: w.bind(sqlx::query_as::<_, Listed>(&sql)).fetch_all(conn).await?,
        total,
    })
}
