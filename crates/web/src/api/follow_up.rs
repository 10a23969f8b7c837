//! Follow-up visits (回访).

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::follow_up::FollowUpForm;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

/// Record a follow-up visit (回访).
#[utoipa::path(post, path = "/api/v1/cases/{id}/follow-ups", tag = "cases", security(("bearer" = [])), request_body = FollowUpForm,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn follow_up(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: FollowUpForm = body.json()?;
    s.app
        .record_follow_up(&req.ctx, id, &b)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
