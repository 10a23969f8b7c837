//! Recording the criminal-reconciliation eligibility facts, and the record of the reconciliation.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::reconciliation::{ReconciliationFacts, ReconciliationRecord};
use gongzhi_app::{AppError, FieldError};

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;

pub fn router() -> Routes {
    Routes::new()
        .post(
            "/cases/{id}/reconciliation",
            Access::Staff(Action::HandleCase),
            reconciliation,
        )
        .post(
            "/cases/{id}/reconciliation/record",
            Access::Staff(Action::HandleCase),
            record,
        )
}

async fn record(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let record = ReconciliationRecord {
        remorse: d.flag("remorse"),
        compensation: d.get("compensation"),
        forgiveness: d.flag("forgiveness"),
        voluntary_and_lawful: d.flag("voluntary_and_lawful"),
        agreement_attachment: d.get("agreement_attachment"),
    };
    let r = s.app.record_reconciliation(&req.ctx, id, &record).await;
    after(&s, &req, id, "reconciliation", &d, r, "saved").await
}

async fn reconciliation(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    // A fixed-term sentence is at most 25 years (300 months) under Criminal Law Art. 69.
    let months = d.get("likely_sentence_months").trim().parse::<u32>();
    let r = match months {
        Ok(m) if m <= 300 => s
            .app
            .set_reconciliation(
                &req.ctx,
                id,
                &ReconciliationFacts {
                    civil_dispute: d.flag("civil_dispute"),
                    chapter_4_or_5: d.flag("chapter_4_or_5"),
                    negligent: d.flag("negligent"),
                    likely_sentence_years: 0,
                    likely_sentence_months: m,
                    intentional_crime_within_5_years: d.flag("intentional_crime_within_5_years"),
                },
            )
            .await
            .map(|_| ()),
        _ => Err(AppError::Invalid(vec![FieldError::new(
            "likely_sentence_months",
            "number-invalid",
        )])),
    };
    after(&s, &req, id, "reconciliation", &d, r, "saved").await
}
