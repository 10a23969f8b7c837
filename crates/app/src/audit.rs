//! Reading, sealing, verifying and purging the audit trail.

use gongzhi_domain::policy::Action;
use gongzhi_store::audit;
pub use gongzhi_store::audit::{BrokenReason, EventFilter, EventRow, VerifyReport};

use crate::{App, AppError, Ctx};

impl App {
    pub async fn audit_events(&self, ctx: &Ctx, f: &EventFilter) -> Result<(Vec<EventRow>, i64), AppError> {
        self.authorize(ctx, Action::ViewAudit).await?;
        let mut conn = self.db().conn().await?;
        Ok(audit::list(&mut conn, f).await?)
    }

    pub async fn seal_audit(&self, ctx: &Ctx) -> Result<u64, AppError> {
        self.authorize_system(ctx, "seal_audit").await?;
        Ok(audit::seal(self.db()).await?)
    }

    /// Seals what is pending, then walks the whole chain.
    pub async fn verify_audit(&self, ctx: &Ctx) -> Result<VerifyReport, AppError> {
        self.authorize_system(ctx, "verify_audit").await?;
        self.seal_audit(ctx).await?;
        let mut conn = self.db().conn().await?;
        Ok(audit::verify(&mut conn).await?)
    }

    /// Deletes events older than the retention period (never fewer than six months).
    pub async fn purge_audit(&self, ctx: &Ctx) -> Result<u64, AppError> {
        self.authorize_system(ctx, "purge_audit").await?;
        let days = self
            .security()
            .audit_retention_days
            .max(crate::MIN_AUDIT_RETENTION_DAYS);
        let cutoff = self.now() - chrono::Duration::days(days);
        self.seal_audit(ctx).await?;
        Ok(audit::purge_before(self.db(), cutoff).await?)
    }
}
