//! Recorded attempts to reach a petitioner.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::Result;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContactAttempt {
    pub id: String,
    pub case_id: String,
    /// When it was made (ms).
    pub at: i64,
    pub means: String,
    pub outcome: String,
    pub note: String,
    pub by_name: String,
    pub created_at: i64,
}

pub async fn insert_attempt(conn: &mut AnyConnection, a: &ContactAttempt) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_attempt (id, case_id, at, means, outcome, note, by_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&a.id)
    .bind(&a.case_id)
    .bind(a.at)
    .bind(&a.means)
    .bind(&a.outcome)
    .bind(&a.note)
    .bind(&a.by_name)
    .bind(a.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A case's attempts, oldest first.
pub async fn attempts(conn: &mut AnyConnection, case: Id) -> Result<Vec<ContactAttempt>> {
    Ok(
        sqlx::query_as("SELECT * FROM contact_attempt WHERE case_id = $1 ORDER BY at, id")
            .bind(case.to_string())
            .fetch_all(conn)
            .await?,
    )
}
