//! Contact attempts on the case page (DOMAIN.md §3.2): recorded one by one; the record decides
//! when the replies owed are exempted.

use axum::extract::{Path, State};
use gongzhi_app::contact::AttemptForm;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;

pub fn router() -> Routes {
    Routes::new().post(
        "/cases/{id}/contact-attempts",
        Access::Staff(Action::HandleCase),
        record,
    )
}

async fn record(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let form = AttemptForm {
        at: d.get("at"),
        means: d.get("means"),
        outcome: d.get("outcome"),
        note: d.get("note"),
    };
    let r = s.app.record_contact(&req.ctx, id, &form).await.map(|_| ());
    after(&s, &req, id, "contact", &d, r, "contact-recorded").await
}
