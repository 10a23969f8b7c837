//! Lockouts the security administrator can see and lift: accounts and client addresses locked
//! after failed secrets, tracking codes and addresses locked after wrong look-ups.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::Action;
use gongzhi_domain::time;
use gongzhi_store::throttle;

use crate::{App, AppError, Ctx};

/// Lockouts listed at most.
const LISTED: i64 = 200;

/// A running lockout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lockout {
    /// The bucket, to lift it by.
    pub bucket: String,
    /// `login`, `login-ip`, `track`, `track-ip`, `apikey-ip`, `open311-ip`.
    pub kind: String,
    /// The account, address or code.
    pub subject: String,
    pub until: time::Timestamp,
}

impl App {
    pub async fn lockouts(&self, ctx: &Ctx) -> Result<Vec<Lockout>, AppError> {
        self.authorize(ctx, Action::ManageUserSecurity).await?;
        let mut conn = self.db().conn().await?;
        Ok(throttle::locked_list(&mut conn, self.now(), LISTED)
            .await?
            .into_iter()
            .map(|(bucket, until)| {
                let (kind, subject) = bucket.split_once(':').unwrap_or(("", &bucket));
                Lockout {
                    kind: kind.to_owned(),
                    subject: subject.to_owned(),
                    bucket: bucket.clone(),
                    until,
                }
            })
            .collect())
    }

    /// Lifts one running lockout; `false` when there is none by that name (it ran out meanwhile,
    /// or never was), which changes and audits nothing.
    pub async fn lift_lockout(&self, ctx: &Ctx, bucket: &str) -> Result<bool, AppError> {
        self.authorize(ctx, Action::ManageUserSecurity).await?;
        let mut tx = self.db().begin().await?;
        if throttle::locked(tx.conn(), &[bucket], self.now())
            .await?
            .is_none()
        {
            return Ok(false);
        }
        throttle::clear(tx.conn(), bucket).await?;
        ctx.audit(tx.conn(), "lockout.lift", "lockout", bucket, Changes::new())
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Lifts every lockout (the command line, when nobody can log in to do it).
    pub async fn lift_all_lockouts(&self, ctx: &Ctx) -> Result<u64, AppError> {
        self.authorize_operator(ctx, Action::ManageUserSecurity).await?;
        let mut tx = self.db().begin().await?;
        let n = throttle::clear_locks(tx.conn(), self.now()).await?;
        ctx.audit(
            tx.conn(),
            "lockout.lift_all",
            "lockout",
            "",
            Changes::new().set("lifted", n),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}
