//! The social-stability risk assessment: assessing, the leader's sign-off and the mitigation plan.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::risk::Scored;
use gongzhi_app::risk::{PlanForm, RiskForm};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

#[derive(Serialize, ToSchema)]
pub struct RiskResult {
    /// low, medium, high
    pub level: String,
    pub score: i64,
    /// The factors that scored, with their points.
    pub factors: Vec<Scored>,
    /// The rule set's version.
    pub ruleset: String,
}

/// Assess the risk with the current rule set.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk", tag = "cases", security(("bearer" = [])), request_body = RiskForm,
    responses((status = 200, body = RiskResult), (status = 422, body = ErrorBody)))]
pub async fn assess(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<RiskResult> {
    let b: RiskForm = body.json()?;
    let a = s.app.assess_risk(&req.ctx, id, &b).await.map_err(fail(&req))?;
    Ok(Json(RiskResult {
        factors: a.scored(),
        level: a.level,
        score: a.score,
        ruleset: a.ruleset,
    }))
}

/// A leader signs off the latest (high) risk assessment.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk/sign-off", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign_off(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<Done> {
    s.app.sign_off_risk(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Set the mitigation plan of the latest assessment, with its tasks.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk/plan", tag = "cases", security(("bearer" = [])), request_body = PlanForm,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn plan(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: PlanForm = body.json()?;
    s.app.set_mitigation(&req.ctx, id, &b).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
