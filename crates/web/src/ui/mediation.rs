//! Recording a mediation session on the case page, with the signed agreement's scan.

use axum::extract::{Path, Request, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::mediation::MediationForm;

use crate::AppState;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::case::{after, read_multipart};
use crate::ui::{PageResult, page};

pub fn router() -> Routes {
    Routes::new().post(
        "/cases/{id}/mediation",
        Access::Staff(Action::HandleCase),
        mediation,
    )
}

async fn mediation(State(s): State<AppState>, req: Req, Path(id): Path<Id>, request: Request) -> PageResult {
    let (d, files) = read_multipart(&req, request).await?;
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
    // A scan sent with a refused try is held on the server and comes with this one, unless
    // another file is chosen now.
    let held = d.get("held");
    let (scan, token) = if files.is_empty() {
        (page(&req, s.app.held_uploads(&held).await)?, held.clone())
    } else {
        (files.clone(), String::new())
    };
    let r = s.app.record_mediation(&req.ctx, id, &f, &scan).await;
    if r.is_ok() || !files.is_empty() {
        page(&req, s.app.release_held(&held).await)?;
    }
    let d = match &r {
        Ok(()) => d,
        Err(_) => {
            let kept = page(&req, s.app.hold_uploads(&token, &files).await)?;
            d.set("held", vec![kept.token]).set("held_names", kept.names)
        }
    };
    after(&s, &req, id, "mediation", &d, r, "saved").await
}
