//! Recording the criminal-reconciliation eligibility facts.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::reconciliation::ReconciliationFacts;
use gongzhi_app::{AppError, FieldError};

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;

pub fn router() -> Routes {
    Routes::new().post(
        "/cases/{id}/reconciliation",
        Access::Staff(Action::HandleCase),
        reconciliation,
    )
}

async fn reconciliation(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let years = d.get("likely_sentence_years").trim().parse::<u32>();
    let r = match years {
        Ok(y) if y <= 30 => s
            .app
            .set_reconciliation(
                &req.ctx,
                id,
                &ReconciliationFacts {
                    civil_dispute: d.flag("civil_dispute"),
                    chapter_4_or_5: d.flag("chapter_4_or_5"),
                    negligent: d.flag("negligent"),
                    likely_sentence_years: y,
                    intentional_crime_within_5_years: d.flag("intentional_crime_within_5_years"),
                },
            )
            .await
            .map(|_| ()),
        _ => Err(AppError::Invalid(vec![FieldError::new(
            "likely_sentence_years",
            "number-invalid",
        )])),
    };
    after(&s, &req, id, "reconciliation", &d, r, "saved").await
}
