//! Mediation sessions and agreements.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::mediation::MediationForm;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

/// Record a mediation session (and its agreement).
#[utoipa::path(post, path = "/api/v1/cases/{id}/mediations", tag = "cases", security(("bearer" = [])), request_body = MediationForm,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn mediation(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let f: MediationForm = body.json()?;
    s.app
        .record_mediation(&req.ctx, id, &f, &[])
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
