//! Referrals to another agency and their answers.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::referral::{NewReferral, ReferralAnswer};

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

/// Refer the case to another agency with a feedback deadline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "cases", security(("bearer" = [])), request_body = NewReferral,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn refer(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: NewReferral = body.json()?;
    s.app.refer(&req.ctx, id, &b).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Answer a referral: the receiving agency accepts, returns or reports back; the sender revokes.
#[utoipa::path(post, path = "/api/v1/referrals/{id}", tag = "cases", security(("bearer" = [])), request_body = ReferralAnswer,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer_referral(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Done> {
    let b: ReferralAnswer = body.json()?;
    s.app
        .answer_referral(&req.ctx, id, &b)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
