//! Mediation sessions and agreements.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::mediation::MediationForm;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

#[derive(Deserialize, ToSchema)]
pub struct MediationJson {
    pub mediator: String,
    /// Local time `YYYY-MM-DD HH:MM`.
    pub held_at: String,
    pub place: String,
    pub attendees: String,
    /// agreed, continued, failed
    pub outcome: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub agreement: String,
    /// `YYYY-MM-DD`; starts the 30-day judicial-confirmation clock.
    #[serde(default)]
    pub agreement_date: String,
}

/// Record a mediation session (and its agreement).
#[utoipa::path(post, path = "/api/v1/cases/{id}/mediations", tag = "cases", security(("bearer" = [])), request_body = MediationJson,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn mediation(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: MediationJson = body.json()?;
    let f = MediationForm {
        mediator: b.mediator,
        held_at: b.held_at,
        place: b.place,
        attendees: b.attendees,
        outcome: b.outcome,
        notes: b.notes,
        agreement: b.agreement,
        agreement_date: b.agreement_date,
    };
    s.app
        .record_mediation(&req.ctx, id, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
