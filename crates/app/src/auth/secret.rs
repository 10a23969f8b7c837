//! Passwords: hashing (Argon2id), temporary passwords, and changing one's own.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use gongzhi_domain::audit::Changes;
use gongzhi_domain::password;
use gongzhi_store::sessions;
use gongzhi_store::sessions::Stage;
use gongzhi_store::throttle;
use gongzhi_store::users;
use rand::RngCore;

use super::{account_bucket, actor_of};
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

pub(super) async fn verify_password(password: &str, hash: &str) -> bool {
    let (p, h) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&h)
            .is_ok_and(|parsed| Argon2::default().verify_password(p.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
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

impl App {
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
}
