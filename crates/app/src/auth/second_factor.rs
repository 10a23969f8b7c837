//! The second factor (TOTP): enrolling, confirming, and the half-finished login it ends.

use gongzhi_domain::audit::{Changes, Outcome};
use gongzhi_domain::totp;
use gongzhi_store::sessions;
use gongzhi_store::sessions::{Session, Stage};
use gongzhi_store::throttle;
use gongzhi_store::users::{self, User};
use rand::RngCore;

use super::{account_bucket, actor_of, new_token};
use crate::{App, AppError, Ctx};

impl App {
    pub(super) fn totp_due(&self, u: &User) -> bool {
        u.totp_enabled || (self.security().admin_totp_required && u.roles.iter().any(|r| r.is_admin()))
    }

    pub(super) async fn check_totp(&self, user: &User, code: &str) -> Result<bool, AppError> {
        let Some(enc) = user.totp_secret.as_deref() else {
            return Ok(false);
        };
        let secret = self.cipher().decrypt(enc)?;
        let secret = data_encoding::BASE32_NOPAD
            .decode(secret.as_bytes())
            .map_err(|_| AppError::Internal("stored TOTP secret is malformed".into()))?;
        let Some(counter) = totp::verify(&secret, code, self.now().timestamp()) else {
            return Ok(false);
        };
        let mut tx = self.db().begin().await?;
        let fresh = users::consume_totp_counter(tx.conn(), user.id, counter as i64).await?;
        tx.commit().await?;
        Ok(fresh)
    }

    /// Starts TOTP enrolment: a new secret, stored encrypted and not yet active (or the one already
    /// being enrolled).
    /// Refused once a second factor is enrolled: replacing it is the security administrator's.
    pub async fn totp_begin(&self, ctx: &Ctx) -> Result<(String, String), AppError> {
        let (_, user) = self.authorize_login_step(ctx).await?;
        if user.totp_enabled {
            return Err(AppError::Forbidden);
        }
        // An enrolment already started shows the same secret again: showing the page changes
        // nothing (another site's image link cannot disturb an enrolment).
        if let Some(enc) = user.totp_secret.as_deref() {
            let encoded = self.cipher().decrypt(enc)?;
            let raw = data_encoding::BASE32_NOPAD
                .decode(encoded.as_bytes())
                .map_err(|_| AppError::Internal("stored TOTP secret is malformed".into()))?;
            return Ok((
                encoded,
                totp::provisioning_uri(&raw, "共治 gongzhi", &user.username),
            ));
        }
        let mut secret = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let encoded = totp::encode_secret(&secret);
        let mut tx = self.db().begin().await?;
        users::set_totp(
            tx.conn(),
            user.id,
            Some(&self.cipher().encrypt(&encoded)?),
            false,
            self.now(),
        )
        .await?;
        ctx.as_user(actor_of(&user))
            .audit(
                tx.conn(),
                "totp.enrol_start",
                "user",
                &user.id.to_string(),
                Changes::new(),
            )
            .await?;
        tx.commit().await?;
        Ok((
            encoded,
            totp::provisioning_uri(&secret, "共治 gongzhi", &user.username),
        ))
    }

    /// The session's user for a step of logging in (second factor, first password change). The
    /// steps check their own secret, throttled like the password.
    pub(crate) async fn authorize_login_step(&self, ctx: &Ctx) -> Result<(Session, User), AppError> {
        match self.session_user(ctx).await {
            Ok(found) => Ok(found),
            Err(e) => {
                self.record(ctx, "denied.login_step", "", "", Outcome::Denied, Changes::new())
                    .await?;
                Err(e)
            }
        }
    }

    /// The second factor: checks a code against the enrolled (or enrolling) secret, counted with the
    /// password's attempts per account and per address; on success the second factor is enabled and
    /// a half-finished login becomes a full session under a new token (returned: whoever knew the
    /// old one, planted or seen, holds nothing). At the lockout the half-finished login ends.
    pub async fn totp_confirm(&self, ctx: &Ctx, code: &str) -> Result<Option<String>, AppError> {
        let (session, user) = self.authorize_login_step(ctx).await?;
        if user.totp_secret.is_none() {
            return Err(AppError::field("code", "totp-not-started"));
        }
        if let Err(e) = self.begin_attempt(ctx, &user.username).await {
            self.end_pending(&session).await?;
            return Err(e);
        }
        if !self.check_totp(&user, code).await? {
            return match self.fail_secret(ctx, &user.username, "totp").await {
                AppError::Locked(until) => {
                    self.end_pending(&session).await?;
                    Err(AppError::Locked(until))
                }
                AppError::LoginFailed => Err(AppError::field("code", "totp-wrong")),
                other => Err(other),
            };
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if !user.totp_enabled {
            users::enable_totp(tx.conn(), user.id, now).await?;
        }
        let fresh = if session.stage == Stage::SecondFactor {
            let (token, key) = new_token();
            sessions::delete(tx.conn(), &session.key).await?;
            sessions::insert(
                tx.conn(),
                &Session {
                    key,
                    stage: Stage::Full,
                    created_at: now,
                    last_seen_at: now,
                    expires_at: now + self.security().session_lifetime,
                    ..session.clone()
                },
            )
            .await?;
            Some(token)
        } else {
            None
        };
        throttle::clear(tx.conn(), &account_bucket(&user.username)).await?;
        users::record_login(tx.conn(), user.id, now).await?;
        let what = if user.totp_enabled {
            "totp.verify"
        } else {
            "totp.enrol"
        };
        ctx.as_user(actor_of(&user))
            .audit(tx.conn(), what, "user", &user.id.to_string(), Changes::new())
            .await?;
        tx.commit().await?;
        Ok(fresh)
    }

    pub(super) async fn end_pending(&self, session: &Session) -> Result<(), AppError> {
        if session.stage == Stage::SecondFactor {
            let mut tx = self.db().begin().await?;
            sessions::delete(tx.conn(), &session.key).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
