//! Supervision (督办) on the case page: the political-legal committee presses a case on.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::supervision::SuperviseForm;

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;

pub fn router() -> Routes {
    Routes::new().post(
        "/cases/{id}/supervise",
        Access::Staff(Action::SuperviseCase),
        supervise,
    )
}

async fn supervise(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let form = SuperviseForm { note: d.get("note") };
    let r = s.app.supervise_case(&req.ctx, id, &form).await;
    after(&s, &req, id, "supervise", &d, r, "supervised").await
}
