//! Attempts to reach a petitioner (DOMAIN.md §3.2).

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::contact::AttemptForm;
use gongzhi_app::domain::Id;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, ErrorBody, Res, fail};

#[derive(Serialize, ToSchema)]
pub struct AttemptResult {
    /// The reason the replies owed were exempted by this attempt (the petitioner cannot be
    /// reached), if it did.
    pub exempted: Option<String>,
}

/// Record an attempt to reach the petitioner; enough failed ones exempt the replies owed.
#[utoipa::path(post, path = "/api/v1/cases/{id}/contact-attempts", tag = "cases", security(("bearer" = [])), request_body = AttemptForm,
    responses((status = 200, body = AttemptResult), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<AttemptResult> {
    let b: AttemptForm = body.json()?;
    let exempted = s.app.record_contact(&req.ctx, id, &b).await.map_err(fail(&req))?;
    Ok(Json(AttemptResult {
        exempted: exempted.map(str::to_owned),
    }))
}
