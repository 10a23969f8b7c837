//! Replies to the petitioner and the reply templates.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::reply::NewReply;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

/// Send a reply; it satisfies its clock (and on a petition is also the workflow step).
#[utoipa::path(post, path = "/api/v1/cases/{id}/replies", tag = "cases", security(("bearer" = [])), request_body = NewReply,
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: NewReply = body.json()?;
    s.app.send_reply(&req.ctx, id, &b).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct TemplateJson {
    pub code: String,
    /// procedural, progress, result
    pub kind: String,
    pub name: String,
    pub body: String,
}

/// Reply templates; `{number}`, `{title}`, `{agency}` and `{date}` are filled in when drafting.
#[utoipa::path(get, path = "/api/v1/templates", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<TemplateJson>), (status = 403, body = ErrorBody)))]
pub async fn templates(State(s): State<AppState>, req: Req) -> Res<Vec<TemplateJson>> {
    let list = s.app.templates(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(
        list.into_iter()
            .map(|t| TemplateJson {
                code: t.code,
                kind: t.kind,
                name: t.name,
                body: t.body,
            })
            .collect(),
    ))
}
