//! Referrals to another agency and their answers.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

#[derive(Deserialize, ToSchema)]
pub struct ReferralJson {
    pub to_agency: String,
    pub note: String,
    /// Feedback deadline in days (1–90).
    pub days: u32,
}

/// Refer the case to another agency with a feedback deadline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "cases", security(("bearer" = [])), request_body = ReferralJson,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn refer(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: ReferralJson = body.json()?;
    s.app
        .refer(&req.ctx, id, &b.to_agency, &b.note, &b.days.to_string())
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerJson {
    /// accept, return (reason required), report (report required), revoke (the sender)
    pub action: String,
    #[serde(default)]
    pub text: String,
}

/// Answer a referral: the receiving agency accepts, returns or reports back; the sender revokes.
#[utoipa::path(post, path = "/api/v1/referrals/{id}", tag = "cases", security(("bearer" = [])), request_body = AnswerJson,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer_referral(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Done> {
    let b: AnswerJson = body.json()?;
    s.app
        .answer_referral(&req.ctx, id, &b.action, &b.text)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
