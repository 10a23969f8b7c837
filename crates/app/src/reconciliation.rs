//! Criminal reconciliation (刑事和解): the eligibility facts of a case, and the record of the
//! reconciliation the review checks (CPL Arts. 288–290, DOMAIN.md §3.4).

use gongzhi_domain::Id;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::event::EventDetail;
use gongzhi_domain::policy::Action;
use gongzhi_domain::reconciliation::{Ineligible, ReconciliationFacts, ReconciliationRecord};
use gongzhi_domain::workflow::{CaseKind, Status};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case};

use crate::{App, AppError, Ctx, FieldError};

/// The event that holds the reconciliation record.
const RECORDED: &str = "reconciliation-recorded";

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
        if facts.likely_sentence_years > 0 && facts.likely_sentence_months > 0 {
            return Err(AppError::field(
                "likely_sentence_months",
                "sentence-years-and-months",
            ));
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

    /// Records what the reconciliation came to: remorse, compensation or apology, forgiveness,
    /// the organ's review of voluntariness and legality, and the written agreement (an attachment
    /// of the case). The latest record is what the review checks.
    pub async fn record_reconciliation(
        &self,
        ctx: &Ctx,
        case: Id,
        record: &ReconciliationRecord,
    ) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        if c.kind != CaseKind::MinorCriminal || c.status != Status::Reconciliation {
            return Err(AppError::field("compensation", "reconciliation-not-under-way"));
        }
        if record.compensation.trim().chars().count() > 500 {
            return Err(AppError::field("compensation", "too-long"));
        }
        let agreement = record.agreement_attachment.trim();
        if !agreement.is_empty()
            && !gongzhi_store::attachment::attachments(tx.conn(), case)
                .await?
                .iter()
                .any(|a| a.id == agreement)
        {
            return Err(AppError::field(
                "agreement_attachment",
                "reconciliation-agreement-unknown",
            ));
        }
        let stored = serde_json::to_string(record).map_err(|e| AppError::Internal(e.to_string()))?;
        self.event(tx.conn(), ctx, &c, RECORDED, &stored, false).await?;
        ctx.audit(
            tx.conn(),
            "case.reconciliation_record",
            "case",
            &case.to_string(),
            Changes::new().set("missing", record.missing().join(",")),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The reconciliation record in force, if any.
    pub(crate) async fn reconciliation_record(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
    ) -> Result<Option<ReconciliationRecord>, AppError> {
        Ok(case::latest_event(conn, c.id, RECORDED)
            .await?
            .and_then(|e| serde_json::from_str(&e.detail).ok()))
    }

    /// §3.4: the review needs the whole record, the agreement attached.
    pub(crate) async fn check_reconciliation_record(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
    ) -> Result<(), AppError> {
        let missing = self
            .reconciliation_record(conn, c)
            .await?
            .unwrap_or_default()
            .missing();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(
                missing
                    .into_iter()
                    .map(|m| FieldError::new(m, &format!("reconciliation-missing-{}", m.replace('_', "-"))))
                    .collect(),
            ))
        }
    }
}
