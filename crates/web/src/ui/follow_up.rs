//! Recording a follow-up visit on the case page.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::follow_up::FollowUpForm;

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;

pub fn router() -> Routes {
    Routes::new().post(
        "/cases/{id}/follow-up",
        Access::Staff(Action::HandleCase),
        follow_up,
    )
}

async fn follow_up(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let input = FollowUpForm {
        satisfaction: d.get("satisfaction"),
        notes: d.get("notes"),
        confirmation_applied: d.flag("confirmation_applied"),
    };
    let r = s.app.record_follow_up(&req.ctx, id, &input).await;
    after(&s, &req, id, "follow-up", &d, r, "saved").await
}
