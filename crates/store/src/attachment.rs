//! Attachments: the file, its type, size and SM3 hash.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Result, newest};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttachmentMeta {
    pub id: String,
    pub case_id: String,
    pub filename: String,
    pub mime: String,
    pub size: i64,
    pub sm3: String,
    pub uploaded_by_name: String,
    pub uploaded_at: i64,
}

pub async fn insert_attachment(conn: &mut AnyConnection, a: &AttachmentMeta, data: &[u8]) -> Result<()> {
    sqlx::query(
        "INSERT INTO attachment (id, case_id, filename, mime, size, sm3, data, uploaded_by_name, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&a.id)
    .bind(&a.case_id)
    .bind(&a.filename)
    .bind(&a.mime)
    .bind(a.size)
    .bind(&a.sm3)
    .bind(data.to_vec())
    .bind(&a.uploaded_by_name)
    .bind(a.uploaded_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn attachments(conn: &mut AnyConnection, case: Id) -> Result<Vec<AttachmentMeta>> {
    Ok(sqlx::query_as(&newest(
        "SELECT id, case_id, filename, mime, size, sm3, uploaded_by_name, uploaded_at FROM attachment
         WHERE case_id = $1",
        "uploaded_at",
        "uploaded_at",
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

pub async fn attachment_data(
    conn: &mut AnyConnection,
    attachment: Id,
) -> Result<Option<(AttachmentMeta, Vec<u8>)>> {
    let meta: Option<AttachmentMeta> = sqlx::query_as(
        "SELECT id, case_id, filename, mime, size, sm3, uploaded_by_name, uploaded_at FROM attachment WHERE id = $1",
    )
    .bind(attachment.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(meta) = meta else { return Ok(None) };
    let (data,): (Vec<u8>,) = sqlx::query_as("SELECT data FROM attachment WHERE id = $1")
        .bind(attachment.to_string())
        .fetch_one(conn)
        .await?;
    Ok(Some((meta, data)))
}
