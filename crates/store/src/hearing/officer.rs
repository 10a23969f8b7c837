//! The hearing-officer pool as stored.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::Result;
use crate::rows::{AnyQuery, insert_sql, save_versioned, update_versioned_sql};

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct OfficerRow {
    pub id: String,
    pub name: String,
    pub category: String,
    pub expertise: String,
    pub employer: String,
    pub birth_date: String,
    pub village_id: Option<String>,
    pub phone_enc: Option<String>,
    pub phone_masked: String,
    pub entry: String,
    pub recommended_by: String,
    pub status: String,
    pub refusal_reason: String,
    pub reviewed_by_name: String,
    pub reviewed_at: Option<i64>,
    pub available: i64,
    pub disqualifications: String,
    pub relations: String,
    pub term_start: Option<String>,
    pub term_no: i64,
    pub participations: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, name, category, expertise, employer, birth_date, village_id, phone_enc, \
    phone_masked, entry, recommended_by, status, refusal_reason, reviewed_by_name, reviewed_at, available, \
    disqualifications, relations, term_start, term_no, participations, version, created_at, updated_at";

/// The pool, by status then name; `status` narrows it.
pub async fn officers(conn: &mut AnyConnection, status: Option<&str>) -> Result<Vec<OfficerRow>> {
    let rows = match status {
        Some(s) => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM hearing_officer WHERE status = $1 ORDER BY name, id"
            ))
            .bind(s)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM hearing_officer ORDER BY status, name, id"
            ))
            .fetch_all(conn)
            .await?
        }
    };
    Ok(rows)
}

pub async fn officer(conn: &mut AnyConnection, id: Id) -> Result<Option<OfficerRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM hearing_officer WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// The fields a form writes, bound in this order by `bind_fields`.
const FIELDS: &str = "name, category, expertise, employer, birth_date, village_id, phone_enc, phone_masked, entry, \
    recommended_by, status, refusal_reason, reviewed_by_name, reviewed_at, available, disqualifications, relations, \
    term_start, term_no";

fn bind_fields<'q>(q: AnyQuery<'q>, o: &'q OfficerRow) -> AnyQuery<'q> {
    q.bind(&o.name)
        .bind(&o.category)
        .bind(&o.expertise)
        .bind(&o.employer)
        .bind(&o.birth_date)
        .bind(o.village_id.as_deref())
        .bind(o.phone_enc.as_deref())
        .bind(&o.phone_masked)
        .bind(&o.entry)
        .bind(&o.recommended_by)
        .bind(&o.status)
        .bind(&o.refusal_reason)
        .bind(&o.reviewed_by_name)
        .bind(o.reviewed_at)
        .bind(o.available)
        .bind(&o.disqualifications)
        .bind(&o.relations)
        .bind(o.term_start.as_deref())
        .bind(o.term_no)
}

fn fields() -> Vec<&'static str> {
    FIELDS.split(", ").collect()
}

pub async fn insert_officer(conn: &mut AnyConnection, o: &OfficerRow) -> Result<()> {
    let mut cols = fields();
    cols.extend(["id", "participations", "version", "created_at", "updated_at"]);
    let sql = insert_sql("hearing_officer", &cols, 1);
    bind_fields(sqlx::query(&sql), o)
        .bind(&o.id)
        .bind(o.participations)
        .bind(1_i64)
        .bind(o.created_at)
        .bind(o.created_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes an officer's record if it is still at `expected_version`; otherwise a conflict.
pub async fn update_officer(conn: &mut AnyConnection, o: &OfficerRow, expected_version: i64) -> Result<()> {
    let mut cols = fields();
    cols.extend(["updated_at", "version"]);
    let sql = update_versioned_sql("hearing_officer", &cols);
    let q = bind_fields(sqlx::query(&sql), o)
        .bind(o.updated_at)
        .bind(expected_version + 1);
    save_versioned(conn, q, &o.id, expected_version).await
}

/// One more hearing sat on, for each officer of a hearing when it is held.
pub async fn count_participation(conn: &mut AnyConnection, hearing: Id) -> Result<()> {
    sqlx::query(
        "UPDATE hearing_officer SET participations = participations + 1
         WHERE id IN (SELECT officer_id FROM hearing_seat WHERE hearing_id = $1)",
    )
    .bind(hearing.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
