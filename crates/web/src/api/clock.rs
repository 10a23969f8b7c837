//! A case's clocks: pausing, resuming and extending them.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
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

/// A handler asks the agency head to pause, resume or extend a clock; the head decides at
/// `POST /api/v1/clock-requests/{id}/approve` or `…/refuse`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/clocks/{clock}/requests", tag = "cases", security(("bearer" = [])), request_body = ClockRequest,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(s): State<AppState>,
    req: Req,
    Path((id, clock)): Path<(Id, Id)>,
    body: ApiBody,
) -> Res<Done> {
    let b: ClockRequest = body.json()?;
    s.app
        .request_clock_change(&req.ctx, id, clock, &b)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// The head's answer to a clock request: `answer` is the reason, required to refuse.
#[derive(serde::Deserialize, Default, utoipa::ToSchema)]
pub struct Decision {
    #[serde(default)]
    pub answer: String,
}

/// The head approves (the clock changes, the head its approver) or refuses a clock request; one
/// already decided is 422 and nothing changes.
#[utoipa::path(post, path = "/api/v1/clock-requests/{id}/{decision}", tag = "cases", security(("bearer" = [])), request_body = Decision,
    params(("decision" = String, Path, description = "approve or refuse")),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    req: Req,
    Path((id, decision)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<Done> {
    let b: Decision = body.json()?;
    let approve = match decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(fail(&req)(gongzhi_app::AppError::NotFound).into_response()),
    };
    s.app
        .decide_clock_request(&req.ctx, id, approve, &b.answer)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
