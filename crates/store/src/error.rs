//! Store errors. A database failure is never turned into "not found".

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A unique constraint refused the row; the payload names the constraint or column when known.
    #[error("duplicate value: {0}")]
    Duplicate(String),
    /// Optimistic versioning: the row changed since the caller read it.
    #[error("the row was changed by someone else")]
    Conflict,
    #[error("not found")]
    NotFound,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("cannot connect to {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    /// No connection could be had from the pool (the database is down, refusing connections, or
    /// every connection is busy past the timeout).
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("encryption error: {0}")]
    Cipher(String),
}

impl StoreError {
    /// The database cannot be reached right now (connection refused or lost, pool exhausted):
    /// worth a 503 and a retry, not a 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Connect { .. } | StoreError::Unavailable(_) => true,
            StoreError::Database(sqlx::Error::Database(db)) => {
                // PostgreSQL: connection exceptions (08…), the server shutting down or starting
                // (57P01–57P03), too many connections (53300).
                db.code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57P0") || c == "53300")
            }
            StoreError::Database(e) => matches!(
                e,
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::Protocol(_)
                    | sqlx::Error::WorkerCrashed
            ),
            _ => false,
        }
    }

    /// Maps unique violations to `Duplicate`, everything else stays a database error.
    pub fn from_write(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return StoreError::Duplicate(db.constraint().unwrap_or(db.message()).to_owned());
        }
        StoreError::Database(e)
    }
}
