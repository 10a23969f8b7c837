//! A case's clocks: pausing, resuming and extending them.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::AppError;
use gongzhi_app::deadlines::ClockChange;
use gongzhi_app::domain::Id;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

#[derive(Deserialize, ToSchema)]
pub struct ClockJsonIn {
    /// pause, resume, extend
    pub action: String,
    #[serde(default)]
    pub days: u32,
    pub reason: String,
}

/// Pause, resume or extend a clock (leaders; the reason is required and the approver recorded).
#[utoipa::path(post, path = "/api/v1/cases/{id}/clocks/{clock}", tag = "cases", security(("bearer" = [])), request_body = ClockJsonIn,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn clock(
    State(s): State<AppState>,
    req: Req,
    Path((id, clock)): Path<(Id, Id)>,
    body: ApiBody,
) -> Res<Done> {
    let b: ClockJsonIn = body.json()?;
    let change = match b.action.as_str() {
        "pause" => ClockChange::Pause,
        "resume" => ClockChange::Resume,
        "extend" => ClockChange::Extend(b.days),
        _ => return Err(fail(&req)(AppError::field("action", "clock-not-changeable")).into()),
    };
    s.app
        .change_clock(&req.ctx, id, clock, change, &b.reason)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
