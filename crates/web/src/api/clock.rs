//! A case's clocks: pausing, resuming and extending them.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::deadlines::ClockRequest;
use gongzhi_app::domain::Id;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

/// Pause, resume or extend a clock (leaders; the reason is required and the approver recorded).
#[utoipa::path(post, path = "/api/v1/cases/{id}/clocks/{clock}", tag = "cases", security(("bearer" = [])), request_body = ClockRequest,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn clock(
    State(s): State<AppState>,
    req: Req,
    Path((id, clock)): Path<(Id, Id)>,
    body: ApiBody,
) -> Res<Done> {
    let b: ClockRequest = body.json()?;
    s.app
        .change_clock(&req.ctx, id, clock, &b)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
