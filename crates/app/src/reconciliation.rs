//! Criminal reconciliation (刑事和解): the eligibility facts of a case.

use gongzhi_domain::Id;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::event::EventDetail;
use gongzhi_domain::policy::Action;
use gongzhi_domain::reconciliation::{Ineligible, ReconciliationFacts};
use gongzhi_domain::workflow::CaseKind;

use crate::{App, AppError, Ctx};

impl App {
    /// Records the facts of criminal-reconciliation eligibility (§4.6) on a minor criminal case.
    pub async fn set_reconciliation(
        &self,
        ctx: &Ctx,
        case: Id,
        facts: &ReconciliationFacts,
    ) -> Result<Vec<Ineligible>, AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let mut c = self.case_for_write(tx.conn(), ctx, case).await?;
        if c.kind != CaseKind::MinorCriminal {
            return Err(AppError::field("reconciliation", "reconciliation-wrong-kind"));
        }
        c.reconciliation = serde_json::to_string(facts).map_err(|e| AppError::Internal(e.to_string()))?;
        self.save(tx.conn(), &c).await?;
        let unmet = facts.check().err().unwrap_or_default();
        let detail = EventDetail::ReconciliationChecked { unmet: unmet.clone() }.encode();
        self.event(tx.conn(), ctx, &c, "reconciliation-checked", &detail, false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.reconciliation_check",
            "case",
            &case.to_string(),
            Changes::new().set("result", detail.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(unmet)
    }
}
