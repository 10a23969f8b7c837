//! Limits for what anyone may attempt: hits per client address and hour (the portal's
//! submissions, look-ups, spoken captchas), and failed secrets per bucket with a lockout (tracking
//! codes, API keys), both counted in the database so that they hold across servers.

use gongzhi_domain::time;
use gongzhi_store::{AnyConnection, throttle};

use crate::{App, AppError};

/// A limit on failed guesses of one secret.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Guesses {
    pub max: i64,
    pub lockout: chrono::Duration,
}

impl App {
    /// Counts a hit of `what` from `key` in this hour; over `limit`, too many requests.
    pub(crate) async fn count_hit(
        &self,
        conn: &mut AnyConnection,
        what: &str,
        key: &str,
        limit: i64,
    ) -> Result<(), AppError> {
        let now = time::to_millis(self.now());
        let hour = now / 3_600_000;
        let bucket = format!("{what}:{key}:{hour}");
        if throttle::hit(conn, &bucket, now, (hour + 1) * 3_600_000).await? > limit {
            return Err(AppError::RateLimited);
        }
        Ok(())
    }

    /// Refuses while any of `buckets` is locked out.
    pub(crate) async fn refuse_if_locked(
        &self,
        conn: &mut AnyConnection,
        buckets: &[&str],
    ) -> Result<(), AppError> {
        match throttle::locked(conn, buckets, self.now()).await? {
            Some(_) => Err(AppError::RateLimited),
            None => Ok(()),
        }
    }

    /// Counts a failed guess in each bucket (each with its limit).
    pub(crate) async fn count_failure(
        &self,
        conn: &mut AnyConnection,
        buckets: &[(&str, Guesses)],
    ) -> Result<(), AppError> {
        let now = self.now();
        for (bucket, g) in buckets {
            throttle::fail(&mut *conn, bucket, g.max, g.lockout, g.lockout, now).await?;
        }
        Ok(())
    }
}
