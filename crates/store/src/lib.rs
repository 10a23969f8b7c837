//! The only crate that speaks SQL. One code path for embedded SQLite and PostgreSQL through sqlx's
//! `Any` driver, with hand-written portable SQL (`$n` parameters, TEXT ids, BIGINT times and flags)
//! and a `Dialect` for the few places where the engines differ.

pub mod aid;
pub mod approval;
pub mod attachment;
pub mod audit;
pub mod captcha;
pub mod case;
pub mod cipher;
pub mod contact;
pub mod dashboard;
mod db;
pub mod deadline_rule;
pub mod document;
pub mod education;
mod error;
pub mod follow_up;
pub mod grid;
pub mod hearing;
pub mod idempotency;
pub mod lease;
pub mod mediation;
pub mod meeting;
mod migrate;
pub mod minor;
pub mod notice;
pub mod partner;
pub mod portal;
pub mod reception;
pub mod reference;
pub mod referral;
pub mod reply;
pub mod report;
pub mod review;
pub mod risk;
pub mod roster;
mod rows;
pub mod search;
pub mod sessions;
pub mod suggestion;
pub mod task;
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

/// One page of a list: at most `limit` rows (capped at 500) after `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    pub const fn first(limit: i64) -> Self {
        Self { limit, offset: 0 }
    }

    /// Page `n` (from 1) of `size` rows.
    pub fn nth(n: i64, size: i64) -> Self {
        Self {
            limit: size,
            offset: (n.max(1) - 1).saturating_mul(size),
        }
    }

    pub(crate) fn sql(&self) -> String {
        format!("LIMIT {} OFFSET {}", self.limit.clamp(1, 500), self.offset.max(0))
    }
}

/// Some rows of a list and how many there are in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
}

impl<T> Paged<T> {
    /// The same page with each row made into something else (a row into a view).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
        }
    }
}

impl<T> Default for Paged<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            total: 0,
        }
    }
}

/// Rows of one kind (replies, mediations, follow-ups, attachments, …) a case shows at most.
pub const PER_CASE_SHOWN: i64 = 200;

/// The newest `PER_CASE_SHOWN` rows of `inner` (a query without ORDER BY), oldest first; `col` is
/// the ordering column as `inner` names it, `out` as the result names it.
pub(crate) fn newest(inner: &str, col: &str, out: &str) -> String {
    format!("SELECT * FROM ({inner} ORDER BY {col} DESC LIMIT {PER_CASE_SHOWN}) newest ORDER BY {out}")
}

/// Runs raw SQL; only for tests that tamper with stored rows on purpose.
#[doc(hidden)]
pub async fn exec_for_tests(conn: &mut AnyConnection, sql: &str) {
    if let Err(e) = sqlx::query(sql).execute(conn).await {
        tracing::error!(error = %e, "test statement failed");
    }
}
