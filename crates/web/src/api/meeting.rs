//! Joint analysis meetings (共同研判) and their action items.

use axum::Json;
use axum::extract::State;
use gongzhi_app::meeting::MeetingForm;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, ErrorBody, Res, fail};

#[derive(Deserialize, ToSchema)]
pub struct MeetingJson {
    pub title: String,
    /// Local time `YYYY-MM-DD HH:MM`.
    pub held_at: String,
    pub place: String,
    pub conclusions: String,
    /// Agency ids besides the caller's.
    pub agencies: Vec<String>,
    pub cases: Vec<String>,
    /// Action items: title, owner (user id), due (`YYYY-MM-DD`).
    #[serde(default)]
    pub items: Vec<ItemJson>,
}

#[derive(Deserialize, ToSchema)]
pub struct ItemJson {
    pub title: String,
    pub owner: String,
    pub due: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Record a joint analysis meeting (共同研判) with its action items.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "cases", security(("bearer" = [])), request_body = MeetingJson,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn meeting(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let b: MeetingJson = body.json()?;
    let f = MeetingForm {
        title: b.title,
        held_at: b.held_at,
        place: b.place,
        conclusions: b.conclusions,
        agencies: b.agencies,
        cases: b.cases,
        items: b.items.into_iter().map(|i| (i.title, i.owner, i.due)).collect(),
    };
    let id = s.app.create_meeting(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}
