//! Recording a mediation session on the case page.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::mediation::MediationForm;

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;

pub fn router() -> Routes {
    Routes::new().post(
        "/cases/{id}/mediation",
        Access::Staff(Action::HandleCase),
        mediation,
    )
}

async fn mediation(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = MediationForm {
        mediator: d.get("mediator"),
        held_at: d.get("held_at"),
        place: d.get("place"),
        attendees: d.get("attendees"),
        outcome: d.get("outcome"),
        notes: d.get("notes"),
        agreement: d.get("agreement"),
        agreement_date: d.get("agreement_date"),
    };
    let r = s.app.record_mediation(&req.ctx, id, &f).await;
    after(&s, &req, id, "mediation", &d, r, "saved").await
}
