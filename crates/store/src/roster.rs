//! The 1+4+6 roster: patch owners per township and six named people per village/community.

use gongzhi_domain::roster::{HeadKind, Slot};
use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::{Result, StoreError, code, id};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    pub township_id: Id,
    pub head_kind: HeadKind,
    pub person_name: String,
    pub agency_id: Id,
    pub agency_name: String,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotEntry {
    pub village_id: Id,
    pub slot: Slot,
    pub person_name: String,
    pub agency_id: Id,
    pub agency_name: String,
    /// Encrypted phone number, if one was recorded.
    pub phone_enc: Option<String>,
    pub version: i64,
}

pub async fn patches(conn: &mut AnyConnection) -> Result<Vec<Patch>> {
    let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT p.township_id, p.head_kind, p.person_name, p.agency_id, a.name, p.version
         FROM patch p JOIN agency a ON a.id = p.agency_id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(t, h, person_name, a, agency_name, version)| {
            Ok(Patch {
                township_id: id(&t)?,
                head_kind: code(&h, HeadKind::parse)?,
                person_name,
                agency_id: id(&a)?,
                agency_name,
                version,
            })
        })
        .collect()
}

pub async fn upsert_patch(conn: &mut AnyConnection, p: &Patch, now: time::Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO patch (township_id, head_kind, person_name, agency_id, version, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5)
         ON CONFLICT (township_id) DO UPDATE SET head_kind = excluded.head_kind,
             person_name = excluded.person_name, agency_id = excluded.agency_id,
             version = patch.version + 1, updated_at = excluded.updated_at",
    )
    .bind(p.township_id.to_string())
    .bind(p.head_kind.code())
    .bind(&p.person_name)
    .bind(p.agency_id.to_string())
    .bind(time::to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_patch(conn: &mut AnyConnection, township: Id) -> Result<bool> {
    let done = sqlx::query("DELETE FROM patch WHERE township_id = $1")
        .bind(township.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Slots of the villages under one township (or of every village when `township` is `None`).
pub async fn slots(conn: &mut AnyConnection, township: Option<Id>) -> Result<Vec<SlotEntry>> {
    let base = "SELECT s.village_id, s.slot, s.person_name, s.agency_id, a.name, s.phone_enc, s.version
         FROM roster_slot s JOIN agency a ON a.id = s.agency_id JOIN org_unit v ON v.id = s.village_id";
    type R = (String, String, String, String, String, Option<String>, i64);
    let rows: Vec<R> = match township {
        Some(t) => {
            sqlx::query_as(&format!("{base} WHERE v.parent_id = $1"))
                .bind(t.to_string())
                .fetch_all(conn)
                .await?
        }
        None => sqlx::query_as(base).fetch_all(conn).await?,
    };
    rows.into_iter()
        .map(|(v, s, person_name, a, agency_name, phone_enc, version)| {
            Ok(SlotEntry {
                village_id: id(&v)?,
                slot: code(&s, Slot::parse)?,
                person_name,
                agency_id: id(&a)?,
                agency_name,
                phone_enc,
                version,
            })
        })
        .collect()
}

/// Writes a slot. `expected_version` is the version the form was built from (0 for an empty slot);
/// a slot changed meanwhile is a conflict, never silently overwritten.
pub async fn put_slot(
    conn: &mut AnyConnection,
    e: &SlotEntry,
    expected_version: i64,
    now: time::Timestamp,
) -> Result<()> {
    let now_ms = time::to_millis(now);
    let done = if expected_version == 0 {
        sqlx::query(
            "INSERT INTO roster_slot (village_id, slot, person_name, agency_id, phone_enc, version, updated_at)
             VALUES ($1, $2, $3, $4, $5, 1, $6)",
        )
        .bind(e.village_id.to_string())
        .bind(e.slot.code())
        .bind(&e.person_name)
        .bind(e.agency_id.to_string())
        .bind(e.phone_enc.as_deref())
        .bind(now_ms)
        .execute(conn)
        .await
        .map_err(|err| match StoreError::from_write(err) {
            StoreError::Duplicate(_) => StoreError::Conflict,
            other => other,
        })?
    } else {
        sqlx::query(
            "UPDATE roster_slot SET person_name = $1, agency_id = $2, phone_enc = $3, version = version + 1,
                    updated_at = $4 WHERE village_id = $5 AND slot = $6 AND version = $7",
        )
        .bind(&e.person_name)
        .bind(e.agency_id.to_string())
        .bind(e.phone_enc.as_deref())
        .bind(now_ms)
        .bind(e.village_id.to_string())
        .bind(e.slot.code())
        .bind(expected_version)
        .execute(conn)
        .await?
    };
    if done.rows_affected() == 0 {
        Err(StoreError::Conflict)
    } else {
        Ok(())
    }
}

pub async fn clear_slot(conn: &mut AnyConnection, village: Id, slot: Slot) -> Result<bool> {
    let done = sqlx::query("DELETE FROM roster_slot WHERE village_id = $1 AND slot = $2")
        .bind(village.to_string())
        .bind(slot.code())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A roster member (or someone else) asked to help with a case (issue 12 §2).
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct HelperRow {
    pub id: String,
    pub case_id: String,
    /// mediator, legal_adviser or counsellor
    pub slot: String,
    pub person_name: String,
    pub agency_name: String,
    pub phone_enc: Option<String>,
    pub from_roster: i64,
    pub assigned_by_name: String,
    pub assigned_at: i64,
    pub released_at: Option<i64>,
}

const HELPER_COLUMNS: &str = "id, case_id, slot, person_name, agency_name, phone_enc, from_roster, \
                              assigned_by_name, assigned_at, released_at";

pub async fn insert_helper(conn: &mut AnyConnection, h: &HelperRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO case_helper ({HELPER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&h.id)
    .bind(&h.case_id)
    .bind(&h.slot)
    .bind(&h.person_name)
    .bind(&h.agency_name)
    .bind(h.phone_enc.as_deref())
    .bind(h.from_roster)
    .bind(&h.assigned_by_name)
    .bind(h.assigned_at)
    .bind(h.released_at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// The people helping with a case now (not released), in the order they were asked.
pub async fn helpers(conn: &mut AnyConnection, case: Id) -> Result<Vec<HelperRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {HELPER_COLUMNS} FROM case_helper WHERE case_id = $1 AND released_at IS NULL
         ORDER BY assigned_at, id"
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

/// Releases a helper of the case; false when there was none still helping.
pub async fn release_helper(conn: &mut AnyConnection, case: Id, helper: Id, at: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE case_helper SET released_at = $1 WHERE id = $2 AND case_id = $3 AND released_at IS NULL",
    )
    .bind(at)
    .bind(helper.to_string())
    .bind(case.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
