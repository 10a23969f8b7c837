//! Logging in and staying logged in (MLPS level 3, DOMAIN.md §6.2): Argon2id passwords, lockout after
//! repeated failures counted in the database, idle timeout, forced first change, TOTP second factor,
//! server-side sessions and revocable API tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use gongzhi_domain::audit::{Changes, Outcome};
use gongzhi_domain::policy::Actor;
use gongzhi_domain::{Id, password, time, totp};
use gongzhi_store::sessions::{self, Kind, Session, Stage};
use gongzhi_store::users::{self, User};
use rand::RngCore;
use sm3::{Digest, Sm3};

use crate::{App, AppError, Ctx, FieldError};

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

pub fn normalize_username(u: &str) -> String {
    u.trim().to_lowercase()
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

/// The resolved session of a request.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub key: String,
    pub stage: Stage,
    pub kind: Kind,
    pub actor: Actor,
    pub must_change_password: bool,
    pub totp_enabled: bool,
    pub second_factor_due: bool,
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

    pub async fn login(&self, ctx: &Ctx, input: LoginInput<'_>) -> Result<LoginOk, AppError> {
        let now = self.now();
        let username = normalize_username(input.username);
        let mut conn = self.db().conn().await?;
        let throttle = users::throttle_get(&mut conn, &username).await?;
        if let Some(until) = throttle.locked_until.filter(|u| *u > now) {
            drop(conn);
            self.record(
                ctx,
                "login",
                "user",
                &username,
                Outcome::Failure,
                Changes::new().set("reason", "locked"),
            )
            .await?;
            return Err(AppError::Locked(until));
        }
        let user = users::by_username(&mut conn, &username).await?;
        drop(conn);
        let hash = user
            .as_ref()
            .map_or(self.0.dummy_hash.as_str(), |u| u.password_hash.as_str());
        let password_ok = verify_password(input.password, hash).await;
        let user = match user {
            Some(u) if password_ok && u.active => u,
            _ => return Err(self.fail_login(ctx, &username, "password").await),
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
                    return Err(self.fail_login(ctx, &username, "totp").await);
                }
            }
        }
        let stage = if input.kind == Kind::Web && self.totp_due(&user) {
            Stage::SecondFactor
        } else {
            Stage::Full
        };
        let (token, key) = new_token();
        let lifetime = match input.kind {
            Kind::Web => self.security().session_lifetime,
            Kind::Api => self.security().api_token_lifetime,
        };
        let session = Session {
            key,
            user_id: user.id,
            kind: input.kind,
            stage,
            name: input.token_name.chars().take(100).collect(),
            ip: ctx.ip.clone(),
            user_agent: input.user_agent.chars().take(300).collect(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + lifetime,
        };
        let mut tx = self.db().begin().await?;
        users::throttle_clear(tx.conn(), &username).await?;
        sessions::insert(tx.conn(), &session).await?;
        let ctx = Ctx {
            actor: Some(actor_of(&user)),
            ..ctx.clone()
        };
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
        if stage == Stage::Full {
            users::record_login(tx.conn(), user.id, now).await?;
        }
        ctx.audit(tx.conn(), "login", "user", &user.id.to_string(), changes)
            .await?;
        tx.commit().await?;
        Ok(LoginOk {
            token,
            stage,
            expires_at: session.expires_at,
            user_id: user.id,
        })
    }

    /// Counts a failure and answers with one message for every cause, or the unlock time.
    async fn fail_login(&self, ctx: &Ctx, username: &str, reason: &str) -> AppError {
        let now = self.now();
        let result = async {
            let mut tx = self.db().begin().await?;
            let t = users::throttle_fail(
                tx.conn(),
                username,
                self.security().max_failed_logins,
                self.security().lockout,
                now,
            )
            .await?;
            let changes = Changes::new().set("reason", reason).set("failures", t.failures);
            gongzhi_store::audit::insert(
                tx.conn(),
                &ctx.event("login", "user", username, Outcome::Failure, &changes),
            )
            .await?;
            tx.commit().await?;
            Ok::<_, AppError>(t)
        }
        .await;
        match result {
            Ok(t) => match t.locked_until {
                Some(until) => AppError::Locked(until),
                None => AppError::LoginFailed,
            },
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
        let mut conn = self.db().conn().await?;
        Ok(users::consume_totp_counter(&mut conn, user.id, counter as i64).await?)
    }

    /// Looks up the session behind a cookie or bearer token and keeps it alive.
    pub async fn resolve(&self, token: &str, kind: Kind) -> Result<Resolved, AppError> {
        let now = self.now();
        let key = session_key(token);
        let mut conn = self.db().conn().await?;
        let Some(s) = sessions::get(&mut conn, &key).await?.filter(|s| s.kind == kind) else {
            return Ok(Resolved::None);
        };
        if s.expires_at <= now {
            sessions::delete(&mut conn, &key).await?;
            return Ok(Resolved::None);
        }
        if kind == Kind::Web && now - s.last_seen_at > self.security().idle_timeout {
            sessions::delete(&mut conn, &key).await?;
            return Ok(Resolved::TimedOut);
        }
        let Some(user) = users::get(&mut conn, s.user_id).await?.filter(|u| u.active) else {
            sessions::delete(&mut conn, &key).await?;
            return Ok(Resolved::None);
        };
        // Writing on every request would turn reads into writes; a minute's precision is plenty
        // for a 30-minute idle timeout.
        if now - s.last_seen_at > chrono::Duration::seconds(60) {
            sessions::touch(&mut conn, &key, now).await?;
        }
        Ok(Resolved::Active(Box::new(SessionInfo {
            key,
            stage: s.stage,
            kind: s.kind,
            must_change_password: user.must_change_password,
            totp_enabled: user.totp_enabled,
            second_factor_due: self.totp_due(&user),
            actor: actor_of(&user),
        })))
    }

    /// Starts (or restarts) TOTP enrolment: a new secret, stored encrypted and not yet active.
    pub async fn totp_begin(&self, ctx: &Ctx) -> Result<(String, String), AppError> {
        let actor = ctx.actor()?;
        let mut secret = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let encoded = totp::encode_secret(&secret);
        let mut tx = self.db().begin().await?;
        users::set_totp(
            tx.conn(),
            actor.user_id,
            Some(&self.cipher().encrypt(&encoded)?),
            false,
            self.now(),
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "totp.enrol_start",
            "user",
            &actor.user_id.to_string(),
            Changes::new(),
        )
        .await?;
        tx.commit().await?;
        Ok((
            encoded,
            totp::provisioning_uri(&secret, "共治 gongzhi", &actor.username),
        ))
    }

    /// Checks a code against the enrolled (or enrolling) secret; on success the second factor is
    /// enabled and the session becomes a full one.
    pub async fn totp_confirm(&self, ctx: &Ctx, code: &str) -> Result<(), AppError> {
        let actor = ctx.actor()?;
        let mut conn = self.db().conn().await?;
        let user = users::get(&mut conn, actor.user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        if user.totp_secret.is_none() {
            return Err(AppError::field("code", "totp-not-started"));
        }
        if !self.check_totp(&user, code).await? {
            self.record(
                ctx,
                "totp.verify",
                "user",
                &user.id.to_string(),
                Outcome::Failure,
                Changes::new(),
            )
            .await?;
            return Err(AppError::Invalid(vec![FieldError::new("code", "totp-wrong")]));
        }
        let mut tx = self.db().begin().await?;
        if !user.totp_enabled {
            users::enable_totp(tx.conn(), user.id, self.now()).await?;
        }
        if let Some(key) = &ctx.session_key {
            sessions::promote(tx.conn(), key, self.now()).await?;
        }
        users::record_login(tx.conn(), user.id, self.now()).await?;
        let what = if user.totp_enabled {
            "totp.verify"
        } else {
            "totp.enrol"
        };
        ctx.audit(tx.conn(), what, "user", &user.id.to_string(), Changes::new())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes one's own password. Other sessions of the user end.
    pub async fn change_password(
        &self,
        ctx: &Ctx,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<(), AppError> {
        let actor = ctx.actor()?;
        let mut conn = self.db().conn().await?;
        let user = users::get(&mut conn, actor.user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        if !verify_password(current, &user.password_hash).await {
            self.record(
                ctx,
                "password.change",
                "user",
                &user.id.to_string(),
                Outcome::Failure,
                Changes::new(),
            )
            .await?;
            return Err(AppError::field("current", "password-current-wrong"));
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
        users::set_password(tx.conn(), user.id, &hash, false, self.now()).await?;
        sessions::delete_for_user(tx.conn(), user.id, ctx.session_key.as_deref()).await?;
        ctx.audit(
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

    pub async fn logout(&self, ctx: &Ctx) -> Result<(), AppError> {
        let Some(key) = &ctx.session_key else {
            return Ok(());
        };
        let mut tx = self.db().begin().await?;
        if sessions::delete(tx.conn(), key).await? {
            let target = ctx
                .actor
                .as_ref()
                .map(|a| a.user_id.to_string())
                .unwrap_or_default();
            ctx.audit(tx.conn(), "logout", "user", &target, Changes::new())
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session and API token of the current user, this one included.
    pub async fn logout_everywhere(&self, ctx: &Ctx) -> Result<u64, AppError> {
        let actor = ctx.actor()?;
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
        let actor = ctx.actor()?;
        let mut conn = self.db().conn().await?;
        Ok(sessions::list_for_user(&mut conn, actor.user_id).await?)
    }
}
