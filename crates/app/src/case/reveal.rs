//! Revealing a party's personal data: its own permission, a reason, an audit event.

use gongzhi_domain::Id;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::Action;
use gongzhi_store::case;

use crate::{App, AppError, Ctx};

/// Why a party's identity is revealed (audited with it).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RevealRequest {
    pub reason: String,
}

/// What a reveal shows.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Revealed {
    pub id_number: String,
    pub phone: String,
    pub address: String,
}

impl App {
    /// Shows a party's identity number, phone and address. A separate permission; the reason is
    /// required and audited (PIPL Art. 28: identity numbers are sensitive personal information).
    pub async fn reveal_party(
        &self,
        ctx: &Ctx,
        case: Id,
        party: &str,
        r: &RevealRequest,
    ) -> Result<Revealed, AppError> {
        self.authorize(ctx, Action::RevealPersonal).await?;
        let reason = r.reason.trim();
        if reason.chars().count() < 2 {
            return Err(AppError::field("reason", "reason-required"));
        }
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let p = case::parties(tx.conn(), case)
            .await?
            .into_iter()
            .find(|p| p.id == party)
            .ok_or(AppError::NotFound)?;
        let dec = |v: &Option<String>| -> Result<String, AppError> {
            Ok(match v {
                Some(enc) => self.cipher().decrypt(enc)?,
                None => String::new(),
            })
        };
        let out = Revealed {
            id_number: dec(&p.id_enc)?,
            phone: dec(&p.phone_enc)?,
            address: dec(&p.address_enc)?,
        };
        self.event(
            tx.conn(),
            ctx,
            &c,
            "revealed",
            &format!("{}：{reason}", p.name),
            false,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.reveal",
            "case_party",
            party,
            Changes::new().set("case", c.number.clone()).set("reason", reason),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}
