//! Mediation sessions and their outcomes.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Result, newest};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Mediation {
    pub id: String,
    pub case_id: String,
    pub mediator: String,
    pub held_at: i64,
    pub place: String,
    pub attendees: String,
    pub outcome: String,
    pub notes: String,
    pub agreement: String,
    pub agreement_date: Option<String>,
    pub created_by_name: String,
    pub created_at: i64,
    /// The scanned agreement among the case's attachments.
    pub agreement_attachment_id: Option<String>,
}

pub async fn insert_mediation(conn: &mut AnyConnection, m: &Mediation) -> Result<()> {
    sqlx::query(
        "INSERT INTO mediation (id, case_id, mediator, held_at, place, attendees, outcome, notes, agreement,
            agreement_date, created_by_name, created_at, agreement_attachment_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&m.id)
    .bind(&m.case_id)
    .bind(&m.mediator)
    .bind(m.held_at)
    .bind(&m.place)
    .bind(&m.attendees)
    .bind(&m.outcome)
    .bind(&m.notes)
    .bind(&m.agreement)
    .bind(m.agreement_date.clone())
    .bind(&m.created_by_name)
    .bind(m.created_at)
    .bind(m.agreement_attachment_id.clone())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn mediations(conn: &mut AnyConnection, case: Id) -> Result<Vec<Mediation>> {
    Ok(sqlx::query_as(&newest(
        "SELECT * FROM mediation WHERE case_id = $1",
        "held_at",
        "held_at",
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}
