//! What staff release for the public to see.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::publication::PublicationForm;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

/// Release a title and a reply for publication (Open311 and the portal show them); both empty
/// withdraw it. Refused for a case with a minor party.
#[utoipa::path(post, path = "/api/v1/cases/{id}/publication", tag = "cases", security(("bearer" = [])),
    request_body = PublicationForm,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn publication(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Done> {
    let f: PublicationForm = body.json()?;
    s.app.publish(&req.ctx, id, &f).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
