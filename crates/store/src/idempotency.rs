//! Idempotency keys: a retried registration answers with the first case.

use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::Result;
use crate::rows::insert_rows;

pub async fn idempotent_case(conn: &mut AnyConnection, principal: &str, key: &str) -> Result<Option<Id>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT case_id FROM idempotency WHERE principal = $1 AND key = $2")
            .bind(principal)
            .bind(key)
            .fetch_optional(conn)
            .await?;
    row.map(|(c,)| crate::id(&c)).transpose()
}

/// A key given with a registration, and the case it made.
#[derive(Clone, Debug)]
pub struct Remembered {
    pub principal: String,
    pub key: String,
    pub case: Id,
    pub at: time::Timestamp,
}

/// Remembers keys in one statement; a key already taken is `Duplicate`.
pub async fn remember_idempotent(conn: &mut AnyConnection, keys: &[Remembered]) -> Result<()> {
    insert_rows!(conn, "idempotency", keys, |k| {
        key: &k.key,
        principal: &k.principal,
        case_id: k.case.to_string(),
        created_at: time::to_millis(k.at),
    })
    .await
}
