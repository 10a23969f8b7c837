//! Releasing a case's title and reply for publication, from the case page.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::publication::PublicationForm;

use super::PageResult;
use super::case::after;
use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use gongzhi_app::domain::policy::Action;

pub fn router() -> Routes {
    Routes::new().post(
        "/cases/{id}/publication",
        Access::Staff(Action::HandleCase),
        publish,
    )
}

async fn publish(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = PublicationForm {
        title: d.get("public_title"),
        reply: d.get("public_reply"),
    };
    let r = s.app.publish(&req.ctx, id, &f).await;
    after(&s, &req, id, "publication", &d, r, "published").await
}
