//! Schema migrations, applied under a lock row so that servers starting together do not race. A row
//! rather than an advisory lock keeps the schema reachable for PostgreSQL-compatible engines that
//! have none (DESIGN in the README).

use std::time::Duration;

use sm3::{Digest, Sm3};
use sqlx::AnyConnection;

use crate::{Db, Dialect, Result, StoreError};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "cases",
        sql: include_str!("../migrations/0002_cases.sql"),
    },
    Migration {
        version: 3,
        name: "security",
        sql: include_str!("../migrations/0003_security.sql"),
    },
    Migration {
        version: 4,
        name: "hot_paths",
        sql: include_str!("../migrations/0004_hot_paths.sql"),
    },
    Migration {
        version: 5,
        name: "statute_dates",
        sql: include_str!("../migrations/0005_statute_dates.sql"),
    },
    Migration {
        version: 6,
        name: "risk_rules",
        sql: include_str!("../migrations/0006_risk_rules.sql"),
    },
    Migration {
        version: 7,
        name: "reviews",
        sql: include_str!("../migrations/0007_reviews.sql"),
    },
    Migration {
        version: 8,
        name: "contact_attempts",
        sql: include_str!("../migrations/0008_contact_attempts.sql"),
    },
    Migration {
        version: 9,
        name: "work_queues",
        sql: include_str!("../migrations/0009_work_queues.sql"),
    },
    Migration {
        version: 10,
        name: "referral_work",
        sql: include_str!("../migrations/0010_referral_work.sql"),
    },
    Migration {
        version: 11,
        name: "hearings",
        sql: include_str!("../migrations/0011_hearings.sql"),
    },
    Migration {
        version: 12,
        name: "suggestions",
        sql: include_str!("../migrations/0012_suggestions.sql"),
    },
    Migration {
        version: 13,
        name: "aid",
        sql: include_str!("../migrations/0013_aid.sql"),
    },
    Migration {
        version: 14,
        name: "reception",
        sql: include_str!("../migrations/0014_reception.sql"),
    },
    Migration {
        version: 15,
        name: "documents",
        sql: include_str!("../migrations/0015_documents.sql"),
    },
    Migration {
        version: 16,
        name: "education",
        sql: include_str!("../migrations/0016_education.sql"),
    },
    Migration {
        version: 17,
        name: "grid",
        sql: include_str!("../migrations/0017_grid.sql"),
    },
    Migration {
        version: 18,
        name: "case_helper",
        sql: include_str!("../migrations/0018_case_helper.sql"),
    },
    Migration {
        version: 19,
        name: "minor",
        sql: include_str!("../migrations/0019_minor.sql"),
    },
    Migration {
        version: 20,
        name: "minor_child",
        sql: include_str!("../migrations/0020_minor_child.sql"),
    },
    Migration {
        version: 21,
        name: "search",
        sql: include_str!("../migrations/0021_search.sql"),
    },
    Migration {
        version: 22,
        name: "duplicates",
        sql: include_str!("../migrations/0022_duplicates.sql"),
    },
    Migration {
        version: 23,
        name: "merge",
        sql: include_str!("../migrations/0023_merge.sql"),
    },
    Migration {
        version: 24,
        name: "merge_lists",
        sql: include_str!("../migrations/0024_merge_lists.sql"),
    },
    Migration {
        version: 25,
        name: "dashboard",
        sql: include_str!("../migrations/0025_dashboard.sql"),
    },
    Migration {
        version: 26,
        name: "returns",
        sql: include_str!("../migrations/0026_returns.sql"),
    },
];

/// A lock held longer than this is taken to belong to a crashed process.
const STALE_LOCK_MS: i64 = 10 * 60 * 1000;
const WAIT_FOR_LOCK: Duration = Duration::from_secs(120);

impl Migration {
    fn checksum(&self) -> String {
        data_encoding::HEXLOWER.encode(&Sm3::digest(self.sql.as_bytes()))
    }

    fn statements(&self, dialect: Dialect) -> Vec<String> {
        let without_comments: String = self
            .sql
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        without_comments
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            // A statement marked for one database (full-text search differs) runs there only.
            .filter_map(|s| {
                match (
                    dialect,
                    s.strip_prefix("/*sqlite*/"),
                    s.strip_prefix("/*postgres*/"),
                ) {
                    (Dialect::Sqlite, Some(s), _) => Some(s.trim().to_owned()),
                    (Dialect::Postgres, _, Some(s)) => Some(s.trim().replace(" BLOB", " BYTEA")),
                    (_, Some(_), _) | (_, _, Some(_)) => None,
                    (Dialect::Sqlite, None, None) => Some(s.to_owned()),
                    (Dialect::Postgres, None, None) => Some(s.replace(" BLOB", " BYTEA")),
                }
            })
            .collect()
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Db {
    /// Applies pending migrations; returns the versions applied by this call.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        self.create_bookkeeping().await?;
        let holder = uuid::Uuid::now_v7().to_string();
        self.acquire_lock(&holder).await?;
        let result = self.apply_pending().await;
        let mut conn = self.conn().await?;
        sqlx::query("DELETE FROM gongzhi_lock WHERE name = 'migrate' AND holder = $1")
            .bind(&holder)
            .execute(&mut *conn)
            .await?;
        result
    }

    /// Versions known to the binary but not applied to the database.
    pub async fn pending_migrations(&self) -> Result<Vec<i64>> {
        self.create_bookkeeping().await?;
        let mut conn = self.conn().await?;
        let applied = applied_versions(&mut conn).await?;
        Ok(MIGRATIONS
            .iter()
            .map(|m| m.version)
            .filter(|v| !applied.iter().any(|(a, _)| a == v))
            .collect())
    }

    /// Whether the database answers and holds every migration this binary knows, unchanged; reads
    /// only (a readiness probe must not create anything).
    pub async fn schema_is_current(&self) -> Result<bool> {
        let mut conn = self.conn().await?;
        let exists = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'"
            }
            Dialect::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migration'"
            }
        };
        let (n,): (i64,) = sqlx::query_as(exists).fetch_one(&mut *conn).await?;
        if n == 0 {
            return Ok(false);
        }
        let applied = applied_versions(&mut conn).await?;
        Ok(MIGRATIONS.iter().all(|m| {
            applied
                .iter()
                .any(|(v, sum)| *v == m.version && *sum == m.checksum())
        }))
    }

    async fn create_bookkeeping(&self) -> Result<()> {
        const DDL: [&str; 2] = [
            "CREATE TABLE IF NOT EXISTS gongzhi_lock (name TEXT PRIMARY KEY, holder TEXT NOT NULL, acquired_at BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        ];
        for ddl in DDL {
            // Two PostgreSQL sessions creating the same table at once can both pass IF NOT EXISTS
            // and one then fails on the catalogue's unique index: try again.
            let mut attempt = 0;
            loop {
                let mut conn = self.conn().await?;
                match sqlx::query(ddl).execute(&mut *conn).await {
                    Ok(_) => break,
                    Err(e) if attempt < 5 => {
                        tracing::debug!(error = %e, "retrying bookkeeping table creation");
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }

    async fn acquire_lock(&self, holder: &str) -> Result<()> {
        let started = std::time::Instant::now();
        loop {
            let mut conn = self.conn().await?;
            sqlx::query("DELETE FROM gongzhi_lock WHERE name = 'migrate' AND acquired_at < $1")
                .bind(now_ms() - STALE_LOCK_MS)
                .execute(&mut *conn)
                .await?;
            let inserted = sqlx::query(
                "INSERT INTO gongzhi_lock (name, holder, acquired_at) VALUES ('migrate', $1, $2)",
            )
            .bind(holder)
            .bind(now_ms())
            .execute(&mut *conn)
            .await;
            match inserted.map_err(StoreError::from_write) {
                Ok(_) => return Ok(()),
                Err(StoreError::Duplicate(_)) if started.elapsed() < WAIT_FOR_LOCK => {
                    tracing::info!("another process is migrating; waiting");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(StoreError::Duplicate(_)) => {
                    return Err(StoreError::Migration(
                        "timed out waiting for the migration lock".into(),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn apply_pending(&self) -> Result<Vec<i64>> {
        let applied = {
            let mut conn = self.conn().await?;
            applied_versions(&mut conn).await?
        };
        let mut done = Vec::new();
        for m in MIGRATIONS {
            match applied.iter().find(|(v, _)| *v == m.version) {
                Some((_, sum)) if *sum != m.checksum() => {
                    return Err(StoreError::Migration(format!(
                        "migration {} ({}) was changed after it was applied",
                        m.version, m.name
                    )));
                }
                Some(_) => continue,
                None => {}
            }
            let mut tx = self.begin().await?;
            for stmt in m.statements(self.dialect()) {
                sqlx::query(&stmt)
                    .execute(tx.conn())
                    .await
                    .map_err(|e| StoreError::Migration(format!("{} ({}): {e}", m.version, m.name)))?;
            }
            sqlx::query(
                "INSERT INTO schema_migration (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(m.checksum())
            .bind(now_ms())
            .execute(tx.conn())
            .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, name = m.name, "migration applied");
            done.push(m.version);
        }
        Ok(done)
    }
}

async fn applied_versions(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>> {
    Ok(
        sqlx::query_as::<_, (i64, String)>("SELECT version, checksum FROM schema_migration ORDER BY version")
            .fetch_all(conn)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_and_lose_their_comments() {
        let stmts = MIGRATIONS[0].statements(Dialect::Postgres);
        assert!(stmts.len() > 10);
        assert!(stmts.iter().all(|s| !s.contains("--") && !s.ends_with(';')));
        assert!(stmts.iter().any(|s| s.starts_with("CREATE TABLE audit_event")));
    }
}
