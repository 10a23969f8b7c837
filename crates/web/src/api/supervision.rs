//! Supervision (督办) by the political-legal committee.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::supervision::{SuperviseForm, SupervisionAnswer};

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

/// Supervise (督办) a case: the handler, or the handling agency, is told in the inbox.
#[utoipa::path(post, path = "/api/v1/cases/{id}/supervise", tag = "cases", security(("bearer" = [])), request_body = SuperviseForm,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn supervise(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: SuperviseForm = body.json()?;
    s.app.supervise_case(&req.ctx, id, &b).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// The handling agency answers the open supervisions of a case: the committee is told.
#[utoipa::path(post, path = "/api/v1/cases/{id}/supervision/answer", tag = "cases", security(("bearer" = [])), request_body = SupervisionAnswer,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: SupervisionAnswer = body.json()?;
    s.app
        .answer_supervision(&req.ctx, id, &b)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
