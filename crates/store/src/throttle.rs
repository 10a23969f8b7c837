//! Throttles in the database, so that counts and lockouts hold across servers: failed secret checks
//! per bucket (an account, a client address, a tracking code), and hits per bucket for rate limits.

use gongzhi_domain::time;
use sqlx::AnyConnection;

use crate::Result;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    pub failures: i64,
    pub locked_until: Option<time::Timestamp>,
}

pub async fn get(conn: &mut AnyConnection, bucket: &str) -> Result<Throttle> {
    let row: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT failures, locked_until FROM auth_throttle WHERE bucket = $1")
            .bind(bucket)
            .fetch_optional(conn)
            .await?;
    Ok(row
        .map(|(failures, until)| Throttle {
            failures,
            locked_until: until.map(time::from_millis),
        })
        .unwrap_or(Throttle {
            failures: 0,
            locked_until: None,
        }))
}

/// Counts one failure atomically. Failures older than `window` are forgotten; at `max` failures
/// the bucket is locked until `now + lock` and the count starts again.
pub async fn fail(
    conn: &mut AnyConnection,
    bucket: &str,
    max: i64,
    window: chrono::Duration,
    lock: chrono::Duration,
    now: time::Timestamp,
) -> Result<Throttle> {
    let now_ms = time::to_millis(now);
    let forget_before = time::to_millis(now - window);
    let (failures,): (i64,) = sqlx::query_as(
        "INSERT INTO auth_throttle (bucket, failures, locked_until, updated_at) VALUES ($1, 1, NULL, $2)
         ON CONFLICT (bucket) DO UPDATE SET
             failures = CASE WHEN auth_throttle.updated_at < $3 THEN 1 ELSE auth_throttle.failures + 1 END,
             updated_at = excluded.updated_at
         RETURNING failures",
    )
    .bind(bucket)
    .bind(now_ms)
    .bind(forget_before)
    .fetch_one(&mut *conn)
    .await?;
    if failures >= max {
        let until = now + lock;
        sqlx::query("UPDATE auth_throttle SET failures = 0, locked_until = $1 WHERE bucket = $2")
            .bind(time::to_millis(until))
            .bind(bucket)
            .execute(conn)
            .await?;
        return Ok(Throttle {
            failures,
            locked_until: Some(until),
        });
    }
    Ok(Throttle {
        failures,
        locked_until: None,
    })
}

/// Counts an attempt *before* the secret is checked, so that parallel guesses cannot all pass a
/// lockout check made first: `Some(until)` refuses it (the bucket is locked, or this attempt is
/// past `max`). The `max`-th attempt locks the bucket yet proceeds; a right secret then clears it.
/// Attempts older than `window` are forgotten.
pub async fn attempt(
    conn: &mut AnyConnection,
    bucket: &str,
    max: i64,
    window: chrono::Duration,
    lock: chrono::Duration,
    now: time::Timestamp,
) -> Result<Option<time::Timestamp>> {
    let now_ms = time::to_millis(now);
    let (count, locked): (i64, Option<i64>) = sqlx::query_as(
        "INSERT INTO auth_throttle (bucket, failures, locked_until, updated_at) VALUES ($1, 1, NULL, $2)
         ON CONFLICT (bucket) DO UPDATE SET
             failures = CASE WHEN auth_throttle.locked_until > $2 THEN auth_throttle.failures
                             WHEN auth_throttle.updated_at < $3 THEN 1
                             ELSE auth_throttle.failures + 1 END,
             locked_until = CASE WHEN auth_throttle.locked_until > $2 THEN auth_throttle.locked_until END,
             updated_at = CASE WHEN auth_throttle.locked_until > $2 THEN auth_throttle.updated_at
                               ELSE excluded.updated_at END
         RETURNING failures, locked_until",
    )
    .bind(bucket)
    .bind(now_ms)
    .bind(time::to_millis(now - window))
    .fetch_one(&mut *conn)
    .await?;
    if let Some(until) = locked.filter(|u| *u > now_ms) {
        return Ok(Some(time::from_millis(until)));
    }
    if count >= max {
        let until = now + lock;
        sqlx::query("UPDATE auth_throttle SET locked_until = $1 WHERE bucket = $2")
            .bind(time::to_millis(until))
            .bind(bucket)
            .execute(conn)
            .await?;
        if count > max {
            return Ok(Some(until));
        }
    }
    Ok(None)
}

/// Takes back one counted attempt that turned out right (a lockout it set stays).
pub async fn refund(conn: &mut AnyConnection, bucket: &str) -> Result<()> {
    sqlx::query("UPDATE auth_throttle SET failures = failures - 1 WHERE bucket = $1 AND failures > 0")
        .bind(bucket)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn clear(conn: &mut AnyConnection, bucket: &str) -> Result<()> {
    sqlx::query("DELETE FROM auth_throttle WHERE bucket = $1")
        .bind(bucket)
        .execute(conn)
        .await?;
    Ok(())
}

/// The latest lockout still running among `buckets`, if any.
pub async fn locked(
    conn: &mut AnyConnection,
    buckets: &[&str],
    now: time::Timestamp,
) -> Result<Option<time::Timestamp>> {
    let mut latest = None;
    for b in buckets {
        if let Some(until) = get(&mut *conn, b).await?.locked_until.filter(|u| *u > now) {
            latest = latest.max(Some(until));
        }
    }
    Ok(latest)
}

/// The buckets locked at `now`, soonest unlocked first, at most `limit`.
pub async fn locked_list(
    conn: &mut AnyConnection,
    now: time::Timestamp,
    limit: i64,
) -> Result<Vec<(String, time::Timestamp)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT bucket, locked_until FROM auth_throttle WHERE locked_until > $1 ORDER BY locked_until, bucket LIMIT {}",
        limit.clamp(1, 500)
    ))
    .bind(time::to_millis(now))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(b, u)| (b, time::from_millis(u))).collect())
}

/// Lifts every lockout (the operator's way back in when everyone at one address is locked out).
pub async fn clear_locks(conn: &mut AnyConnection, now: time::Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM auth_throttle WHERE locked_until > $1")
        .bind(time::to_millis(now))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Counts a hit in a bucket that lives until `expires_at`; returns the hits so far.
pub async fn hit(conn: &mut AnyConnection, bucket: &str, now: i64, expires_at: i64) -> Result<i64> {
    sqlx::query("DELETE FROM portal_throttle WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let (n,): (i64,) = sqlx::query_as(
        "INSERT INTO portal_throttle (bucket, hits, expires_at) VALUES ($1, 1, $2)
         ON CONFLICT (bucket) DO UPDATE SET hits = portal_throttle.hits + 1 RETURNING hits",
    )
    .bind(bucket)
    .bind(expires_at)
    .fetch_one(conn)
    .await?;
    Ok(n)
}
