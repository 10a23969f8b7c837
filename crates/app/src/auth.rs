//! Logging in and staying logged in (MLPS level 3, DOMAIN.md §6.2): Argon2id passwords, lockout after
//! repeated failures of any secret (password or second factor) counted in the database per account
//! and per client address, idle timeout, forced first change, TOTP second factor, server-side
//! sessions and revocable API tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use gongzhi_domain::audit::{Changes, Outcome};
use gongzhi_domain::policy::Actor;
use gongzhi_domain::{Id, password, time, totp};
use gongzhi_store::sessions;
pub use gongzhi_store::sessions::{Kind, Session, Stage};
use gongzhi_store::throttle;
use gongzhi_store::users::{self, User};
use rand::RngCore;
use sm3::{Digest, Sm3};

use crate::{App, AppError, Ctx, FieldError};

/// How long a password-only login waits for its second factor.
const PENDING_LOGIN: chrono::Duration = chrono::Duration::minutes(10);
/// The idle clock is written at most this often per session: an idle timeout that errs early by at
/// most this much, and no write on every request.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(5);

pub fn hash_password_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
}

pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let p = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password_blocking(&p))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (p, h) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&h)
            .is_ok_and(|parsed| Argon2::default().verify_password(p.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

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

/// A password the policy accepts, for temporary passwords an administrator hands over.
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut raw = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let body: String = raw
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{body}#7")
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
    fn totp_due(&self, u: &User) -> bool {
        u.totp_enabled || (self.security().admin_totp_required && u.roles.iter().any(|r| r.is_admin()))
    }

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

    async fn check_totp(&self, user: &User, code: &str) -> Result<bool, AppError> {
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

    /// The user of the request's session, complete or not: the second-factor and password-change
    /// steps run before the login is complete, for this user only.
    async fn session_user(&self, ctx: &Ctx) -> Result<(Session, User), AppError> {
        let Some(key) = ctx.session_key() else {
            return Err(AppError::Unauthenticated);
        };
        let mut conn = self.db().conn().await?;
        let session = sessions::get(&mut conn, key)
            .await?
            .filter(|s| s.expires_at > self.now())
            .ok_or(AppError::Unauthenticated)?;
        let user = users::get(&mut conn, session.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(AppError::Unauthenticated)?;
        Ok((session, user))
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

    async fn end_pending(&self, session: &Session) -> Result<(), AppError> {
        if session.stage == Stage::SecondFactor {
            let mut tx = self.db().begin().await?;
            sessions::delete(tx.conn(), &session.key).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Changes one's own password (also the forced change at first login). Other sessions of the
    /// user end. A wrong current password counts like a failed login.
    pub async fn change_password(
        &self,
        ctx: &Ctx,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<(), AppError> {
        let (session, user) = self.authorize_login_step(ctx).await?;
        if session.stage != Stage::Full {
            return Err(AppError::Unauthenticated);
        }
        self.begin_attempt(ctx, &user.username).await?;
        if !verify_password(current, &user.password_hash).await {
            return match self.fail_secret(ctx, &user.username, "password.change").await {
                AppError::LoginFailed => Err(AppError::field("current", "password-current-wrong")),
                other => Err(other),
            };
        }
        let mut errors = Vec::new();
        if let Err(e) = password::check(new, &user.username) {
            errors.push(FieldError::new("new", e.message_key()));
        } else if new == current {
            errors.push(FieldError::new("new", "password-same-as-old"));
        }
        if new != confirm {
            errors.push(FieldError::new("confirm", "password-mismatch"));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let hash = hash_password(new).await?;
        let mut tx = self.db().begin().await?;
        throttle::clear(tx.conn(), &account_bucket(&user.username)).await?;
        users::set_password(tx.conn(), user.id, &hash, false, self.now()).await?;
        sessions::delete_for_user(tx.conn(), user.id, Some(&session.key)).await?;
        ctx.as_user(actor_of(&user))
            .audit(
                tx.conn(),
                "password.change",
                "user",
                &user.id.to_string(),
                Changes::new().field("password_hash", "old", "new"),
            )
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends the request's own session (complete or not); without one there is nothing to end.
    pub async fn logout(&self, ctx: &Ctx) -> Result<(), AppError> {
        let Ok((session, user)) = self.session_user(ctx).await else {
            return Ok(());
        };
        let mut tx = self.db().begin().await?;
        if sessions::delete(tx.conn(), &session.key).await? {
            ctx.as_user(actor_of(&user))
                .audit(tx.conn(), "logout", "user", &user.id.to_string(), Changes::new())
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session and API token of the current user, this one included.
    pub async fn logout_everywhere(&self, ctx: &Ctx) -> Result<u64, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut tx = self.db().begin().await?;
        let n = sessions::delete_for_user(tx.conn(), actor.user_id, None).await?;
        ctx.audit(
            tx.conn(),
            "logout.everywhere",
            "user",
            &actor.user_id.to_string(),
            Changes::new().set("ended", n),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn my_sessions(&self, ctx: &Ctx) -> Result<Vec<Session>, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut conn = self.db().conn().await?;
        Ok(sessions::list_for_user(&mut conn, actor.user_id).await?)
    }

    /// Removes expired sessions and idle browser sessions (a periodic job).
    pub async fn purge_sessions(&self, ctx: &Ctx) -> Result<u64, AppError> {
        self.authorize_system(ctx, "purge_sessions").await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let ended = sessions::purge(tx.conn(), now, now - self.security().idle_timeout).await?;
        if ended > 0 {
            ctx.audit(
                tx.conn(),
                "session.purge",
                "auth_session",
                "",
                Changes::new().set("ended", ended),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ended)
    }
}
