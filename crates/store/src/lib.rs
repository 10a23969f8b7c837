//! The only crate that speaks SQL. One code path for embedded SQLite and PostgreSQL through sqlx's
//! `Any` driver, with hand-written portable SQL (`$n` parameters, TEXT ids, BIGINT times and flags)
//! and a `Dialect` for the few places where the engines differ.

pub mod audit;
pub mod cases;
pub mod casework;
pub mod cipher;
mod db;
mod error;
pub mod lease;
mod migrate;
pub mod reference;
pub mod roster;
pub mod sessions;
pub mod throttle;
pub mod users;

pub use cipher::FieldCipher;
pub use db::{Conn, Db, DbOptions, Dialect, Tx, mask_url};
pub use error::StoreError;
pub use migrate::MIGRATIONS;
pub use sqlx::AnyConnection;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Parses an id column; a malformed id in the database is corruption, reported as such.
pub(crate) fn id(s: &str) -> Result<gongzhi_domain::Id> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("malformed id {s:?}")))
}

pub(crate) fn opt_id(s: Option<String>) -> Result<Option<gongzhi_domain::Id>> {
    s.as_deref().map(id).transpose()
}

pub(crate) fn code<T>(s: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown code {s:?}")))
}

/// A bind value of a query assembled from optional filters.
#[derive(Clone, Debug)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

pub(crate) fn bind_all<'q, O>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Text(t) => q.bind(t.clone()),
            Arg::Int(i) => q.bind(*i),
        };
    }
    q
}

/// Runs raw SQL; only for tests that tamper with stored rows on purpose.
#[doc(hidden)]
pub async fn exec_for_tests(conn: &mut AnyConnection, sql: &str) {
    if let Err(e) = sqlx::query(sql).execute(conn).await {
        tracing::error!(error = %e, "test statement failed");
    }
}
