//! Signing in: passwords and second factors throttled per account and address in the database,
//! sessions and API tokens resolved from the SM3 hash of their secret. The second factor, the
//! password and the sessions each have their own file.

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use gongzhi_domain::audit::{Changes, Outcome};
use gongzhi_domain::policy::Actor;
use gongzhi_domain::{Id, time};
use gongzhi_store::sessions;
pub use gongzhi_store::sessions::{Kind, Session, Stage};
use gongzhi_store::throttle;
use gongzhi_store::users::{self, User};
use rand::RngCore;
use sm3::{Digest, Sm3};

use crate::{App, AppError, Ctx};

mod second_factor;
mod secret;
mod session;

use secret::verify_password;
pub use secret::{hash_password, hash_password_blocking, temporary_password};

/// How long a password-only login waits for its second factor.
const PENDING_LOGIN: chrono::Duration = chrono::Duration::minutes(10);

/// The idle clock is written at most this often per session: an idle timeout that errs early by at
/// most this much, and no write on every request.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(5);

/// The secret a client holds; the database keeps only its SM3 hash.
fn new_token() -> (String, String) {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let token = BASE64URL_NOPAD.encode(&raw);
    let key = session_key(&token);
    (token, key)
}

pub fn session_key(token: &str) -> String {
    HEXLOWER.encode(&Sm3::digest(token.as_bytes()))
}

/// Characters of a typed user name kept at most: every real one is shorter (`valid_username`), and
/// a failed login stores what was typed in the throttle and the audit trail, which must not grow by
/// megabytes a request.
const USERNAME_KEPT: usize = 64;

pub fn normalize_username(u: &str) -> String {
    u.trim()
        .chars()
        .take(USERNAME_KEPT)
        .collect::<String>()
        .to_lowercase()
}

/// The throttle bucket of an account's secrets (password and second factor together).
pub(crate) fn account_bucket(username: &str) -> String {
    format!("login:{username}")
}

fn address_bucket(ctx: &Ctx) -> String {
    format!("login-ip:{}", ctx.address_key())
}

/// What a login produced.
#[derive(Clone, Debug)]
pub struct LoginOk {
    pub token: String,
    pub stage: Stage,
    pub expires_at: time::Timestamp,
    pub user_id: Id,
}

#[derive(Clone, Debug)]
pub struct LoginInput<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub totp: Option<&'a str>,
    pub kind: Kind,
    pub token_name: &'a str,
    pub user_agent: &'a str,
}

/// The resolved session of a request. Made only here and read-only outside, so a context for a
/// user (see `Ctx::signed_in`) always stands on a session — and roles — the database knows.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    key: String,
    stage: Stage,
    actor: Actor,
    must_change_password: bool,
    totp_enabled: bool,
}

impl SessionInfo {
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn must_change_password(&self) -> bool {
        self.must_change_password
    }

    pub fn totp_enabled(&self) -> bool {
        self.totp_enabled
    }

    /// Logged in all the way: second factor done and no password change pending.
    pub fn is_complete(&self) -> bool {
        self.stage == Stage::Full && !self.must_change_password
    }
}

#[derive(Clone, Debug)]
pub enum Resolved {
    Active(Box<SessionInfo>),
    /// The browser session was idle too long and has been ended.
    TimedOut,
    None,
}

pub fn actor_of(u: &User) -> Actor {
    Actor {
        user_id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        agency_id: u.agency_id,
        agency_name: u.agency_name.clone(),
        roles: u.roles.clone(),
    }
}

impl App {
    /// Counts an attempt at an account's secret before it is checked (so that parallel guesses
    /// cannot all slip past the lockout), refusing while the account or the client's address is
    /// locked. A right secret clears the account's count when the login completes.
    async fn begin_attempt(&self, ctx: &Ctx, username: &str) -> Result<(), AppError> {
        let s = self.security();
        let mut tx = self.db().begin().await?;
        let address = throttle::locked(tx.conn(), &[&address_bucket(ctx)], self.now()).await?;
        let refused = match address {
            Some(until) => Some(until),
            None => {
                throttle::attempt(
                    tx.conn(),
                    &account_bucket(username),
                    s.max_failed_logins,
                    s.lockout,
                    s.lockout,
                    self.now(),
                )
                .await?
            }
        };
        if let Some(until) = refused {
            gongzhi_store::audit::insert(
                tx.conn(),
                &ctx.event(
                    "login",
                    "user",
                    username,
                    Outcome::Failure,
                    &Changes::new().set("reason", "locked"),
                ),
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::Locked(until));
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn login(&self, ctx: &Ctx, input: LoginInput<'_>) -> Result<LoginOk, AppError> {
        let now = self.now();
        let username = normalize_username(input.username);
        self.begin_attempt(ctx, &username).await?;
        let mut conn = self.db().conn().await?;
        let user = users::by_username(&mut conn, &username).await?;
        drop(conn);
        let hash = user
            .as_ref()
            .map_or(self.0.dummy_hash.as_str(), |u| u.password_hash.as_str());
        let password_ok = verify_password(input.password, hash).await;
        let user = match user {
            Some(u) if password_ok && u.active => u,
            _ => return Err(self.fail_secret(ctx, &username, "password").await),
        };
        if input.kind == Kind::Api {
            if user.must_change_password {
                return Err(AppError::PasswordChangeRequired);
            }
            if self.totp_due(&user) {
                if !user.totp_enabled {
                    return Err(AppError::SecondFactorEnrolmentRequired);
                }
                let Some(code) = input.totp.filter(|c| !c.trim().is_empty()) else {
                    return Err(AppError::SecondFactorRequired);
                };
                if !self.check_totp(&user, code).await? {
                    return Err(self.fail_secret(ctx, &username, "totp").await);
                }
            }
        }
        let stage = if input.kind == Kind::Web && self.totp_due(&user) {
            Stage::SecondFactor
        } else {
            Stage::Full
        };
        let (token, key) = new_token();
        let lifetime = match (input.kind, stage) {
            (_, Stage::SecondFactor) => PENDING_LOGIN,
            (Kind::Web, _) => self.security().session_lifetime,
            (Kind::Api, _) => self.security().api_token_lifetime,
        };
        let session = Session {
            key,
            user_id: user.id,
            kind: input.kind,
            stage,
            name: input.token_name.chars().take(100).collect(),
            ip: ctx.ip().to_owned(),
            user_agent: input.user_agent.chars().take(300).collect(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + lifetime,
        };
        let mut tx = self.db().begin().await?;
        sessions::insert(tx.conn(), &session).await?;
        let what = if input.kind == Kind::Api {
            "api_token"
        } else {
            "session"
        };
        let changes = Changes::new().set("kind", what).set(
            "stage",
            if stage == Stage::Full {
                "full"
            } else {
                "second_factor"
            },
        );
        // The count is forgiven only when every secret has been given: a right password alone takes
        // back its own attempt but not the wrong second-factor codes, nor a lockout they reached.
        if stage == Stage::Full {
            throttle::clear(tx.conn(), &account_bucket(&username)).await?;
            users::record_login(tx.conn(), user.id, now).await?;
        } else {
            throttle::refund(tx.conn(), &account_bucket(&username)).await?;
        }
        ctx.as_user(actor_of(&user))
            .audit(tx.conn(), "login", "user", &user.id.to_string(), changes)
            .await?;
        tx.commit().await?;
        Ok(LoginOk {
            token,
            stage,
            expires_at: session.expires_at,
            user_id: user.id,
        })
    }

    /// Counts a failed secret against the client's address (the account's attempt is already
    /// counted) and answers with one message for every cause, or the unlock time.
    async fn fail_secret(&self, ctx: &Ctx, username: &str, reason: &str) -> AppError {
        let now = self.now();
        let s = self.security();
        let result = async {
            let mut tx = self.db().begin().await?;
            let address = throttle::fail(
                tx.conn(),
                &address_bucket(ctx),
                s.max_failures_per_address,
                s.lockout,
                s.lockout,
                now,
            )
            .await?;
            let account = throttle::get(tx.conn(), &account_bucket(username)).await?;
            let changes = Changes::new()
                .set("reason", reason)
                .set("attempts", account.failures);
            gongzhi_store::audit::insert(
                tx.conn(),
                &ctx.event("login", "user", username, Outcome::Failure, &changes),
            )
            .await?;
            tx.commit().await?;
            Ok::<_, AppError>(
                account
                    .locked_until
                    .filter(|u| *u > now)
                    .max(address.locked_until),
            )
        }
        .await;
        match result {
            Ok(Some(until)) => AppError::Locked(until),
            Ok(None) => AppError::LoginFailed,
            Err(e) => e,
        }
    }

    /// Looks up the session behind a cookie or bearer token and keeps it alive.
    pub async fn resolve(&self, token: &str, kind: Kind) -> Result<Resolved, AppError> {
        let now = self.now();
        let key = session_key(token);
        let mut conn = self.db().conn().await?;
        let Some(s) = sessions::get(&mut conn, &key).await?.filter(|s| s.kind == kind) else {
            return Ok(Resolved::None);
        };
        let user = users::get(&mut conn, s.user_id).await?.filter(|u| u.active);
        drop(conn);
        let idle = kind == Kind::Web && now - s.last_seen_at > self.security().idle_timeout;
        let Some(user) = user.filter(|_| s.expires_at > now && !idle) else {
            let mut tx = self.db().begin().await?;
            sessions::delete(tx.conn(), &key).await?;
            tx.commit().await?;
            return Ok(if idle { Resolved::TimedOut } else { Resolved::None });
        };
        if now - s.last_seen_at > TOUCH_EVERY {
            let mut tx = self.db().begin().await?;
            sessions::touch(tx.conn(), &key, now).await?;
            tx.commit().await?;
        }
        Ok(Resolved::Active(Box::new(SessionInfo {
            key,
            stage: s.stage,
            must_change_password: user.must_change_password,
            totp_enabled: user.totp_enabled,
            actor: actor_of(&user),
        })))
    }
}
