//! Follow-up visits after closure.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Result, newest};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FollowUp {
    pub id: String,
    pub case_id: String,
    pub at: i64,
    pub by_name: String,
    pub satisfaction: String,
    pub notes: String,
}

pub async fn insert_follow_up(conn: &mut AnyConnection, f: &FollowUp) -> Result<()> {
    sqlx::query(
        "INSERT INTO follow_up (id, case_id, at, by_name, satisfaction, notes) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&f.id)
    .bind(&f.case_id)
    .bind(f.at)
    .bind(&f.by_name)
    .bind(&f.satisfaction)
    .bind(&f.notes)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn follow_ups(conn: &mut AnyConnection, case: Id) -> Result<Vec<FollowUp>> {
    Ok(
        sqlx::query_as(&newest("SELECT * FROM follow_up WHERE case_id = $1", "at", "at"))
            .bind(case.to_string())
            .fetch_all(conn)
            .await?,
    )
}
