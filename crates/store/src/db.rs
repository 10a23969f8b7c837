//! Connections, transactions and the SQLite write gate.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::{Result, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct DbOptions {
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout: Duration,
}

/// A pooled connection for reads outside a transaction.
pub type Conn = PoolConnection<Any>;

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    /// A PostgreSQL streaming replica for the reads that may lag (issue 13 §8), if configured.
    read: Option<AnyPool>,
    dialect: Dialect,
    /// SQLite allows one writer; taking this gate before `BEGIN` keeps the process's writers in line
    /// instead of failing with SQLITE_BUSY when a reader upgrades. PostgreSQL needs none.
    write_gate: Option<Arc<Mutex<()>>>,
}

/// A write transaction. Dropped without `commit`, it rolls back.
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl Tx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

impl Db {
    pub async fn connect(opts: &DbOptions) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let masked = mask_url(&opts.url);
        let connect_err = |source| StoreError::Connect {
            url: masked.clone(),
            source,
        };
        let dialect = if opts.url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if opts.url.starts_with("postgres:") || opts.url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err(connect_err(sqlx::Error::Configuration(
                "the database URL must start with sqlite:// or postgres://".into(),
            )));
        };
        let url = match dialect {
            Dialect::Sqlite => prepare_sqlite_url(&opts.url).map_err(|e| connect_err(sqlx::Error::Io(e)))?,
            Dialect::Postgres => opts.url.clone(),
        };
        let connect_options = AnyConnectOptions::from_str(&url)
            .map_err(connect_err)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
        let pool = AnyPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(opts.connect_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        // WAL lets readers work beside the writer; the busy timeout covers other
                        // processes (a `gongzhi migrate` next to a server); foreign keys are off by
                        // default in SQLite.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        // Pages read through a shared mapping instead of a copy per connection:
                        // every commit empties the other connections' page caches, and reading
                        // them back with pread was a tenth of a registration's time.
                        conn.execute("PRAGMA mmap_size = 1073741824").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect_options)
            .await
            .map_err(connect_err)?;
        let write_gate = (dialect == Dialect::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Self {
            pool,
            read: None,
            dialect,
            write_gate,
        })
    }

    /// The same database with reads that may lag sent to a PostgreSQL streaming replica at `url`
    /// (read only: a write there fails, as the replica refuses it).
    pub async fn with_replica(mut self, url: &str, max_connections: u32, timeout: Duration) -> Result<Self> {
        let connect_err = |source| StoreError::Connect {
            url: mask_url(url),
            source,
        };
        if self.dialect != Dialect::Postgres
            || !(url.starts_with("postgres:") || url.starts_with("postgresql:"))
        {
            return Err(connect_err(sqlx::Error::Configuration(
                "a read replica is a PostgreSQL streaming replica of a PostgreSQL primary".into(),
            )));
        }
        let options = AnyConnectOptions::from_str(url)
            .map_err(connect_err)?
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(timeout)
            .connect_with(options)
            .await
            .map_err(connect_err)?;
        self.read = Some(pool);
        Ok(self)
    }

    /// Refreshes the query planner's statistics of every table (after a bulk load).
    pub async fn analyze(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        sqlx::query("ANALYZE").execute(&mut *conn).await?;
        Ok(())
    }

    /// Whether reads that may lag go to a replica.
    pub fn has_replica(&self) -> bool {
        self.read.is_some()
    }

    /// A connection for a read that may lag behind the last writes: the replica's, if there is one.
    pub async fn read_conn(&self) -> Result<Conn> {
        match &self.read {
            Some(p) => p.acquire().await.map_err(StoreError::Unavailable),
            None => self.conn().await,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub async fn conn(&self) -> Result<Conn> {
        self.pool.acquire().await.map_err(StoreError::Unavailable)
    }

    pub async fn begin(&self) -> Result<Tx> {
        let gate = match &self.write_gate {
            Some(g) => Some(g.clone().lock_owned().await),
            None => None,
        };
        // SQLite: take the write lock up front. A deferred transaction that reads first and writes
        // later fails with SQLITE_BUSY_SNAPSHOT (517) when another connection wrote in between;
        // BEGIN IMMEDIATE waits (busy_timeout) instead.
        let inner = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        };
        // BEGIN on SQLite can also wait out another process's lock and fail busy: that is not the
        // database being away.
        let inner = inner.map_err(|e| match e {
            sqlx::Error::Database(_) if self.dialect == Dialect::Sqlite => StoreError::Database(e),
            e => StoreError::Unavailable(e),
        })?;
        Ok(Tx { inner, _gate: gate })
    }

    /// `SELECT 1`, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the directory of an SQLite file and asks sqlx to create the file when missing.
fn prepare_sqlite_url(url: &str) -> std::io::Result<String> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && !path.is_empty()
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let mut url = url.to_owned();
    if !query.contains("mode=") {
        url.push_str(if query.is_empty() {
            "?mode=rwc"
        } else {
            "&mode=rwc"
        });
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_urls() {
        assert_eq!(
            mask_url("postgres://gz:s3cret@db:5432/gongzhi"),
            "postgres://gz:***@db:5432/gongzhi"
        );
        assert_eq!(
            mask_url("postgres://root@127.0.0.1/x"),
            "postgres://root@127.0.0.1/x"
        );
        assert_eq!(
            mask_url("sqlite://./data/gongzhi.db"),
            "sqlite://./data/gongzhi.db"
        );
    }
}
