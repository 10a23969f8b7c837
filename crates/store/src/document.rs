//! Uploaded document templates (the defaults are built in and never stored).

use sqlx::AnyConnection;

use crate::Result;

/// An uploaded template without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TemplateMeta {
    pub kind: String,
    pub filename: String,
    pub uploaded_by_name: String,
    pub uploaded_at: i64,
}

pub async fn templates(conn: &mut AnyConnection) -> Result<Vec<TemplateMeta>> {
    Ok(sqlx::query_as(
        "SELECT kind, filename, uploaded_by_name, uploaded_at FROM document_template ORDER BY kind",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn template(conn: &mut AnyConnection, kind: &str) -> Result<Option<Vec<u8>>> {
    let found: Option<(Vec<u8>,)> = sqlx::query_as("SELECT body FROM document_template WHERE kind = $1")
        .bind(kind)
        .fetch_optional(conn)
        .await?;
    Ok(found.map(|(b,)| b))
}

/// Stores a kind's template, replacing the one before.
pub async fn put_template(conn: &mut AnyConnection, t: &TemplateMeta, body: &[u8]) -> Result<()> {
    sqlx::query(
        "INSERT INTO document_template (kind, body, filename, uploaded_by_name, uploaded_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind) DO UPDATE SET body = excluded.body, filename = excluded.filename,
             uploaded_by_name = excluded.uploaded_by_name, uploaded_at = excluded.uploaded_at",
    )
    .bind(&t.kind)
    .bind(body.to_vec())
    .bind(&t.filename)
    .bind(&t.uploaded_by_name)
    .bind(t.uploaded_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Drops an uploaded template: the kind goes back to the built-in one. Whether there was one.
pub async fn delete_template(conn: &mut AnyConnection, kind: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM document_template WHERE kind = $1")
        .bind(kind)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
