//! Sending a reply from the case page.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::pages::PageResult;
use crate::pages::case::after;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    Routes::new().post("/cases/{id}/reply", Access::Staff(Action::HandleCase), reply)
}

async fn reply(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s
        .app
        .send_reply(
            &req.ctx,
            id,
            &d.get("kind"),
            &d.get("channel"),
            &d.get("body"),
            d.int("version"),
        )
        .await;
    after(&s, &req, id, "reply", &d, r, "replied").await
}
