//! Joint analysis meetings (共同研判) and their action items.

use axum::Json;
use axum::extract::State;
use gongzhi_app::meeting::MeetingForm;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, ErrorBody, Res, fail};

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Record a joint analysis meeting (共同研判) with its action items.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "cases", security(("bearer" = [])), request_body = MeetingForm,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn meeting(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: MeetingForm = body.json()?;
    let id = s.app.create_meeting(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}
