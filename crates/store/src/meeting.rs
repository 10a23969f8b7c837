//! Joint meetings (联席会议) and the agencies taking part.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Result, newest};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Meeting {
    pub id: String,
    pub title: String,
    pub held_at: i64,
    pub place: String,
    pub conclusions: String,
    pub agency_id: String,
    pub created_by_name: String,
    pub created_at: i64,
}

pub async fn insert_meeting(
    conn: &mut AnyConnection,
    m: &Meeting,
    agencies: &[Id],
    cases: &[Id],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO meeting (id, title, held_at, place, conclusions, agency_id, created_by_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&m.id)
    .bind(&m.title)
    .bind(m.held_at)
    .bind(&m.place)
    .bind(&m.conclusions)
    .bind(&m.agency_id)
    .bind(&m.created_by_name)
    .bind(m.created_at)
    .execute(&mut *conn)
    .await?;
    for a in agencies {
        sqlx::query("INSERT INTO meeting_agency (meeting_id, agency_id) VALUES ($1, $2)")
            .bind(&m.id)
            .bind(a.to_string())
            .execute(&mut *conn)
            .await?;
    }
    for c in cases {
        sqlx::query("INSERT INTO meeting_case (meeting_id, case_id) VALUES ($1, $2)")
            .bind(&m.id)
            .bind(c.to_string())
            .execute(&mut *conn)
            .await?;
    }
    // Found from the first of its cases, as the index is rebuilt (the least id).
    match cases.iter().map(Id::to_string).min() {
        Some(first) => crate::search::put(conn, &[crate::search::Doc::meeting(m, &first)]).await,
        None => Ok(()),
    }
}

pub async fn meetings_of_case(conn: &mut AnyConnection, case: Id) -> Result<Vec<Meeting>> {
    Ok(sqlx::query_as(&newest(
        "SELECT m.* FROM meeting m JOIN meeting_case mc ON mc.meeting_id = m.id WHERE mc.case_id = $1",
        "m.held_at",
        "held_at",
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

pub async fn meeting_agency_names(conn: &mut AnyConnection, meeting: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT a.name FROM meeting_agency ma JOIN agency a ON a.id = ma.agency_id WHERE ma.meeting_id = $1
         ORDER BY a.code",
    )
    .bind(meeting)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}
