//! Failed secret checks counted per bucket (an account, a client address, a tracking code), in the
//! database so that the count and the lockout hold across servers.

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
