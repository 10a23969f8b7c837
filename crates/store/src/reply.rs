//! Replies to petitioners and the reply templates.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Result, StoreError, newest};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Reply {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub channel: String,
    pub body: String,
    pub sent_at: i64,
    pub sent_by_name: String,
    pub agency_name: String,
}

pub async fn insert_reply(conn: &mut AnyConnection, r: &Reply) -> Result<()> {
    sqlx::query(
        "INSERT INTO reply (id, case_id, kind, channel, body, sent_at, sent_by_name, agency_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&r.id)
    .bind(&r.case_id)
    .bind(&r.kind)
    .bind(&r.channel)
    .bind(&r.body)
    .bind(r.sent_at)
    .bind(&r.sent_by_name)
    .bind(&r.agency_name)
    .execute(&mut *conn)
    .await?;
    crate::search::put(conn, &[crate::search::Doc::reply(r)]).await
}

pub async fn replies(conn: &mut AnyConnection, case: Id) -> Result<Vec<Reply>> {
    Ok(sqlx::query_as(&newest(
        "SELECT * FROM reply WHERE case_id = $1",
        "sent_at",
        "sent_at",
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Template {
    pub code: String,
    pub kind: String,
    pub name: String,
    pub body: String,
    pub version: i64,
    pub updated_at: i64,
}

pub async fn templates(conn: &mut AnyConnection) -> Result<Vec<Template>> {
    Ok(sqlx::query_as("SELECT * FROM reply_template ORDER BY kind, code")
        .fetch_all(conn)
        .await?)
}

/// Inserts a template, or updates it if `version` matches (0 inserts only when absent).
pub async fn put_template(conn: &mut AnyConnection, t: &Template) -> Result<()> {
    if t.version == 0 {
        sqlx::query(
            "INSERT INTO reply_template (code, kind, name, body, version, updated_at) VALUES ($1, $2, $3, $4, 1, $5)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&t.code)
        .bind(&t.kind)
        .bind(&t.name)
        .bind(&t.body)
        .bind(t.updated_at)
        .execute(conn)
        .await?;
        return Ok(());
    }
    let done = sqlx::query(
        "UPDATE reply_template SET name = $1, body = $2, version = version + 1, updated_at = $3
         WHERE code = $4 AND version = $5",
    )
    .bind(&t.name)
    .bind(&t.body)
    .bind(t.updated_at)
    .bind(&t.code)
    .bind(t.version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}
