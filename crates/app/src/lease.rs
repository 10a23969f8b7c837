//! Leases for periodic work that must run on one server at a time (the jobs take them).

use gongzhi_store::lease;

use crate::{App, AppError, Ctx};

impl App {
    /// Takes or renews the lease `name` for `holder` for `ttl`; false while another server has it.
    pub async fn acquire_lease(
        &self,
        ctx: &Ctx,
        name: &str,
        holder: &str,
        ttl: chrono::Duration,
    ) -> Result<bool, AppError> {
        self.authorize_system(ctx, "acquire_lease").await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let got = lease::acquire(tx.conn(), name, holder, now, now + ttl).await?;
        tx.commit().await?;
        Ok(got)
    }
}
