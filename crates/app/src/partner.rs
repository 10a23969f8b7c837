//! Partner systems (the 12345 hotline, a township's grid system) and their API keys: issued by the
//! operator, stored as SM3 hashes, checked with wrong keys counted per client address.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, Partner};
use gongzhi_store::partner;
use rand::RngCore;

use crate::case::sm3_hex;
use crate::throttle::Guesses;
use crate::{App, AppError, Ctx, FieldError, PartnerKey};

/// Wrong API keys from one address before it is locked.
const WRONG_KEYS: Guesses = Guesses {
    max: 10,
    lockout: chrono::Duration::hours(1),
};

impl App {
    /// The partner system holding `key`; `None` for no key or a wrong one (counted against the
    /// caller's address).
    pub async fn partner(&self, ctx: &Ctx, key: &str) -> Result<Option<PartnerKey>, AppError> {
        let key = key.trim();
        if key.is_empty() {
            return Ok(None);
        }
        let bucket = format!("apikey-ip:{}", ctx.address_key());
        let mut tx = self.db().begin().await?;
        self.refuse_if_locked(tx.conn(), &[&bucket]).await?;
        let found = partner::api_key(tx.conn(), &sm3_hex(key.as_bytes())).await?;
        if found.is_none() {
            self.count_failure(tx.conn(), &[(&bucket, WRONG_KEYS)]).await?;
        }
        tx.commit().await?;
        Ok(found.map(|(key_id, name)| PartnerKey::new(Partner { key_id, name })))
    }

    /// Issues an API key to a partner system; only its SM3 hash is stored, the key is shown once.
    pub async fn create_api_key(&self, ctx: &Ctx, name: &str) -> Result<String, AppError> {
        self.authorize_operator(ctx, Action::ManageUserSecurity).await?;
        let name = name.trim();
        if !(1..=60).contains(&name.chars().count()) {
            return Err(AppError::Invalid(vec![FieldError::new("name", "name-invalid")]));
        }
        let mut raw = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let key = format!("gz_{}", data_encoding::HEXLOWER.encode(&raw));
        let mut tx = self.db().begin().await?;
        let id = Id::new();
        partner::insert_api_key(tx.conn(), id, name, &sm3_hex(key.as_bytes()), self.now()).await?;
        ctx.audit(
            tx.conn(),
            "api_key.create",
            "api_key",
            &id.to_string(),
            Changes::new().set("name", name),
        )
        .await?;
        tx.commit().await?;
        Ok(key)
    }
}
