//! Supervision (督办) on the case page: the political-legal committee presses a case on.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::supervision::{SuperviseForm, SupervisionAnswer};

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;
use crate::ui::inbox::from_inbox;

pub fn router() -> Routes {
    Routes::new()
        .post(
            "/cases/{id}/supervise",
            Access::Staff(Action::SuperviseCase),
            supervise,
        )
        .post(
            "/cases/{id}/supervision/answer",
            Access::Staff(Action::HandleCase),
            answer,
        )
}

/// The handling agency answers the supervision, from its inbox or the case page.
async fn answer(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let form = SupervisionAnswer {
        answer: d.get("answer"),
    };
    let r = s.app.answer_supervision(&req.ctx, id, &form).await;
    if d.get("back") == "inbox" {
        return from_inbox(&s, &req, r, "supervision-answered").await;
    }
    after(&s, &req, id, "supervise", &d, r, "supervision-answered").await
}

async fn supervise(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let form = SuperviseForm { note: d.get("note") };
    let r = s.app.supervise_case(&req.ctx, id, &form).await;
    after(&s, &req, id, "supervise", &d, r, "supervised").await
}
